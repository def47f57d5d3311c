import { TOPICS } from '@arca/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractText } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { damageNewDataPacks } from './support/damage';
import { SimulatedEvents, simulatedEvent, simulatedPolicySpec, withProducer } from './support/simulated-events';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * A simulated quarter (2026-07-01 to 2026-10-01) of two policies, played onto Kafka as the events
 * the platform's services publish (policy.changed, backup.completed and backup.failed, a
 * check.completed), each with the time it "happened" (the injected clock is the events' own
 * occurredAt: reporting folds them by it), and the reports that follow: the compliance report's
 * figures against what was played, per day, as JSON, CSV through the CLI and a PDF read back.
 *
 * - finance-db: RPO 24 h, a backup at 02:00 every day; those of 10 and 11 August fail, so the RPO
 *   is breached from 10 August 02:00 (24 h after the 9th's) to 12 August 02:00: 48 h of 2,208.
 * - web: RPO 12 h, a backup at 01:00 and 13:00, every one completed: met the whole quarter.
 */
const fixture = usePlatform();
const Q3 = { from: '2026-07-01', to: '2026-10-01' };
const FINANCE = randomUUID();
const WEB = randomUUID();
const FAILED_DAYS = ['2026-08-10', '2026-08-11'];
const failedJobs: string[] = [];
const DAY = 86_400_000;

function policySpec(name: string, rpoMinutes: number, cron: string) {
  return simulatedPolicySpec(name, rpoMinutes, cron, name === 'finance-db' ? { objectLock: { mode: 'governance', days: 30 } } : {});
}

/** One backup's terminal event, a minute after its due time: completed or failed (reporting folds a job from whichever of its events it has). */
function backup(events: SimulatedEvents, policyId: string, name: string, due: Date, ok: boolean): void {
  const { jobId } = events.backup(policyId, name, due, ok);
  if (!ok) failedJobs.push(jobId);
}

async function playQuarter(): Promise<void> {
  const platform = fixture.platform;
  const start = new Date(`${Q3.from}T00:00:00Z`);
  await withProducer(platform, (send) => send(TOPICS.policyChanged, [
    simulatedEvent(TOPICS.policyChanged, start, { policyId: FINANCE, version: 1, spec: policySpec('finance-db', 1440, '0 2 * * *'), updatedAt: start.toISOString() }),
    simulatedEvent(TOPICS.policyChanged, start, { policyId: WEB, version: 1, spec: policySpec('web', 720, '0 1,13 * * *'), updatedAt: start.toISOString() }),
  ]).then(() => undefined));
  // Reporting must know the policies before their jobs (it takes the first sighting as the start of the RPO).
  await until(async () => (await api<{ rpo: unknown[] }>(platform, 'GET', '/reports/summary')).body.rpo?.length === 2 || undefined, 'both policies in reporting', 30_000, 200);
  const events = new SimulatedEvents();
  for (let day = start.getTime(); day < new Date(`${Q3.to}T00:00:00Z`).getTime(); day += DAY) {
    const date = new Date(day).toISOString().slice(0, 10);
    backup(events, FINANCE, 'finance-db', new Date(day + 2 * 3_600_000), !FAILED_DAYS.includes(date));
    backup(events, WEB, 'web', new Date(day + 1 * 3_600_000), true);
    backup(events, WEB, 'web', new Date(day + 13 * 3_600_000), true);
  }
  // Each topic in order of time.
  const checkJob = randomUUID();
  events.add(TOPICS.checkCompleted, new Date('2026-09-20T04:00:00Z'), { jobId: checkJob, packsChecked: 12, chunksChecked: 3400, damaged: [], durationMs: 5000 }, checkJob);
  await events.send(platform, [TOPICS.backupFailed, TOPICS.backupCompleted, TOPICS.checkCompleted]);
}

describe('the compliance report of a simulated quarter', () => {
  it('gives each policy the share of the quarter its RPO was met, each breach with the failed backups that caused it, as JSON, CSV and PDF', async () => {
    const platform = fixture.platform;
    await playQuarter();
    const expectedJobs = 92 * 3;
    const daily = await until(async () => {
      const r = await api<{ total: number; rows: Array<{ day: string; policyName: string; completed: number; failed: number; bytesStored: number }> }>(platform, 'GET', `/reports/jobs-daily?from=${Q3.from}&to=${Q3.to}&limit=1000`);
      return r.body.rows?.reduce((n, row) => n + row.completed + row.failed, 0) === expectedJobs ? r.body : undefined;
    }, 'reporting to fold the quarter', 120_000, 500);
    expect(daily.total).toBe(92 * 2); // a row per policy per day
    expect(daily.rows.filter((r) => r.policyName === 'finance-db' && r.failed === 1).map((r) => r.day)).toEqual(FAILED_DAYS);
    expect(daily.rows.find((r) => r.policyName === 'web' && r.day === '2026-08-10')).toMatchObject({ completed: 2, failed: 0, bytesStored: 100_000 });
    // Pages: 184 rows, 100 at a time.
    const second = (await api<{ rows: unknown[]; offset: number }>(platform, 'GET', `/reports/jobs-daily?from=${Q3.from}&to=${Q3.to}&limit=100&offset=100`)).body;
    expect(second.rows.length).toBe(84);

    const report = (await api<{ policies: Array<{ name: string; immutable: boolean; lastTestRestore: unknown; rto: unknown; backups: { completed: number; failed: number }; rpo: { metShare: number; breachedMs: number; breaches: Array<{ from: string; to: string; durationMs: number; causes: Array<{ jobId: string; error: string }> }> } }>; lastCleanCheck: { at: string } | null }>(
      platform, 'GET', `/reports/compliance?from=${Q3.from}&to=${Q3.to}`)).body;
    const finance = report.policies.find((p) => p.name === 'finance-db')!;
    const web = report.policies.find((p) => p.name === 'web')!;
    expect(finance.backups).toMatchObject({ completed: 90, failed: 2 });
    expect(finance.rpo.breaches).toEqual([{
      from: '2026-08-10T02:01:00.000Z', to: '2026-08-12T02:01:00.000Z', durationMs: 48 * 3_600_000,
      causes: failedJobs.map((jobId, i) => ({ jobId, at: `${FAILED_DAYS[i]}T02:01:00.000Z`, error: 'simulated: finance-db unreachable' })),
    }]);
    expect(finance.rpo.metShare).toBeCloseTo(1 - 48 / (92 * 24), 10);
    expect(finance.immutable).toBe(true);
    expect(web.rpo).toMatchObject({ metShare: 1, breaches: [] });
    expect(web.backups).toMatchObject({ completed: 184, failed: 0 });
    expect(report.lastCleanCheck?.at).toBe('2026-09-20T04:00:00.000Z');
    expect(finance.lastTestRestore).toBeNull(); // the quarter played no test restore
    expect(finance.rto).toEqual({ targetMinutes: null, observedMinutes: null, met: null, breaches: [] });
    // One policy only.
    const one = (await api<{ policies: Array<{ name: string }> }>(platform, 'GET', `/reports/compliance?from=${Q3.from}&to=${Q3.to}&policy=${WEB}`)).body;
    expect(one.policies.map((p) => p.name)).toEqual(['web']);

    // The CLI's CSV, as the README shows it.
    const csv = (await arca(platform.gatewayUrl, ['report', 'compliance', '--from', Q3.from, '--to', Q3.to, '--csv'])).stdout.trim().split('\r\n');
    expect(csv[0]).toMatch(/^policy,policy_id,schedule,rpo_minutes,rpo_met_percent,breaches,/);
    expect(csv.find((l) => l.startsWith('finance-db,'))).toContain(`,1440,${((1 - 48 / 2208) * 100).toFixed(2)},1,48.00,90,2,0,"keep daily 14, monthly 6","object lock, governance mode, 30 days",`);
    expect(csv.find((l) => l.startsWith('web,'))).toContain(',720,100.00,0,0.00,184,0,0,');

    const table = (await arca(platform.gatewayUrl, ['report', 'compliance', '--from', Q3.from, '--to', Q3.to])).stdout;
    expect(table).toMatch(/finance-db: breached .+ to .+: job [0-9a-f-]{36} failed: simulated: finance-db unreachable; job/);
    const dailyCsv = (await arca(platform.gatewayUrl, ['report', 'jobs-daily', '--from', Q3.from, '--to', Q3.to, '--csv'])).stdout.trim().split('\r\n');
    expect(dailyCsv[0]).toBe('day,policyId,policyName,completed,failed,cancelled,durationMs,bytesRead,bytesNew,bytesStored');
    expect(dailyCsv.length).toBe(1 + 184); // every page of rows
    expect((await arca(platform.gatewayUrl, ['report', 'storage-forecast', '--days', '10', '--quota', '1000000000'])).stdout).toMatch(/growth +0 B per day over 10 days\nquota +.*not reached at this rate/);

    // The PDF, read back as text.
    const pdf = await fetch(`${platform.gatewayUrl}/reports/compliance?from=${Q3.from}&to=${Q3.to}&format=pdf`, { headers: { authorization: `Bearer ${platform.adminKey}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    // PDF text comes back line by line as laid out: lines joined again (a line broken after a hyphen without a space).
    const text = (await extractText(bytes, { mergePages: true })).text.replace(/-\n/g, '-').replace(/\n/g, ' ');
    expect(text).toContain('Arca compliance report');
    expect(text).toContain('Policy finance-db');
    expect(text).toContain(`RPO met: ${((1 - 48 / 2208) * 100).toFixed(2)} % of the period (1 breach(es), 48.0 h in breach)`);
    expect(text).toContain(`job ${failedJobs[0]} failed: simulated: finance-db unreachable`);
    expect(text).toContain('Last clean repository check: 2026-09-20T04:00:00.000Z');

    // The storage forecast counts what was stored before its window: flat since the quarter, so no quota is reached.
    const forecast = (await api<{ days: Array<{ bytesStored: number }>; growthBytesPerDay: number; quotaReachedOn: string | null }>(platform, 'GET', '/reports/storage-forecast?days=10&quotaBytes=1000000000')).body;
    expect(forecast.days).toHaveLength(10);
    expect(forecast.days.every((d) => d.bytesStored === 274 * 50_000)).toBe(true);
    expect(forecast).toMatchObject({ growthBytesPerDay: 0, quotaReachedOn: null });
  }, 240_000);

  it('names what is wrong with a period, a policy or a format', async () => {
    const platform = fixture.platform;
    const bad = async (query: string) => (await api<{ message: string | string[] }>(platform, 'GET', `/reports/compliance?${query}`));
    expect(await bad('from=2026-02-30')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/"2026-02-30" is no such date/) } });
    expect(await bad('from=2026-10-01&to=2026-07-01')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/must come before to/) } });
    expect(await bad('from=2025-01-01&to=2026-10-01')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/at most 367 days/) } });
    expect(await bad('policy=finance')).toMatchObject({ status: 400, body: { message: ['policy must be a policy id (a UUID)'] } });
    expect(await bad('format=xlsx')).toMatchObject({ status: 400, body: { message: ['format must be "json", "csv" or "pdf"'] } });
    expect((await api(platform, 'GET', '/reports/storage-forecast?days=1')).status).toBe(400);
  });
});

describe('test restores', () => {
  it('restores a sample of the newest snapshot to scratch, verifies it, measures the RTO against the target, and fails loudly on damage', async () => {
    const platform = fixture.platform;
    const source = fixture.tempDir('verified');
    for (let i = 0; i < 12; i++) writeFileSync(path.join(source, `file-${i}.bin`), randomBytes(150_000 + i));
    const created = await api<{ id: string }>(platform, 'POST', '/policies', {
      name: 'verified', source: { kind: 'directory', path: source }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440,
      retention: { keepLast: 3 }, verifyRestore: { cron: '0 6 * * 1', sample: 5 }, rtoMinutes: 60,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const policyId = created.body.id;
    // The scheduler learns of a new policy from policy.changed: until then it cannot run it.
    const backup = await until(async () => {
      const r = await api<{ jobId: string }>(platform, 'POST', '/jobs', { policyId });
      return r.status === 202 ? r : undefined;
    }, 'the scheduler to run the new policy', 30_000, 300);
    const done = await until(async () => {
      const job = (await api<{ status: string; error: string | null }>(platform, 'GET', `/jobs/${backup.body.jobId}`)).body;
      return ['completed', 'failed'].includes(job.status) ? job : undefined;
    }, 'the backup', 60_000, 300);
    expect(done.status, done.error ?? '').toBe('completed');

    // Through the CLI, as an operator runs one: 5 of the 12 files restored and verified, then removed.
    const passed = await arcaStatus(platform.gatewayUrl, ['policies', 'verify-restore', policyId, '--sample', '5']);
    expect(passed.code, passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/^test restore [0-9a-f-]{36} passed: 5 file\(s\) of snapshot [0-9a-f]{64} restored and verified in .*; the whole snapshot would take about /);

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    type Verified = { lastTestRestore: { status: string; files: number; error: string | null } | null; lastSuccessfulTestRestore: { files: number } | null; rto: { targetMinutes: number; observedMinutes: number; met: boolean } };
    const report = async () => (await api<{ policies: Array<Verified & { name: string }> }>(platform, 'GET', `/reports/compliance?from=${today}&to=${tomorrow}&policy=${policyId}`)).body.policies[0];
    const first = await until(async () => ((await report()).lastTestRestore ? report() : undefined), 'the test restore in the report', 30_000, 300);
    expect(first.lastTestRestore).toMatchObject({ status: 'completed', files: 5, error: null });
    expect(first.rto).toMatchObject({ targetMinutes: 60, met: true });
    expect(first.rto.observedMinutes).toBeGreaterThanOrEqual(0);

    // A sample over damaged packs: the test restore fails naming the files, and the report says so.
    expect(damageNewDataPacks(platform.dataDir, path.join(source, 'file-0.bin')).length).toBeGreaterThan(0);
    const failed = await arcaStatus(platform.gatewayUrl, ['policies', 'verify-restore', policyId, '--sample', '0']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/verify job [0-9a-f-]{36} failed: \d+ of 12 file\(s\) of snapshot [0-9a-f]{64} did not restore whole/);
    const after = await until(async () => { const r = await report(); return r.lastTestRestore?.status === 'failed' ? r : undefined; }, 'the failed test restore in the report', 30_000, 300);
    expect(after.lastTestRestore!.error).toMatch(/did not restore whole/);
    expect(after.lastSuccessfulTestRestore).toMatchObject({ files: 5 }); // the last one that passed is still named
    const csv = (await arca(platform.gatewayUrl, ['report', 'compliance', '--from', today, '--to', tomorrow, '--policy', policyId, '--csv'])).stdout;
    expect(csv).toMatch(/FAILED: \d+ of 12 file\(s\)/);

    // Bad requests are named.
    expect(await api(platform, 'POST', `/policies/${policyId}/verify-restore`, { sample: 10_001 })).toMatchObject({ status: 400, body: { message: ['sample must be at most 10000 files (0: the whole snapshot)'] } });
    expect((await api(platform, 'POST', `/policies/${randomUUID()}/verify-restore`, {})).status).toBe(404);
  }, 180_000);
});
