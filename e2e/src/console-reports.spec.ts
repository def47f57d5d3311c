import { TOPICS } from '@arca/contracts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arca } from './support/cli';
import { SIMULATED_STATS, SimulatedEvents, simulatedEvent, simulatedPolicySpec, withProducer } from './support/simulated-events';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * The console's Reports page in Chromium over ten simulated days of two policies (played onto
 * Kafka with the events' own times, as e2e/src/compliance.spec.ts plays a quarter), with one
 * snapshot copied to the replica site. The charts are compared with the REST answers they draw:
 * storage per site and day (GET /reports/storage-daily's totals), success rate per policy and the
 * RPO timeline (GET /reports/compliance); the filters change them; the CSV downloads. The storage
 * read model's rows, a quota and the forecast's answer for it are checked over REST and the CLI.
 *
 * - alpha: RPO 24 h, a backup at 02:00 daily storing 50,000 bytes; days 4 and 5 fail.
 * - beta: RPO 12 h, backups at 01:00 and 13:00 storing 20,000 bytes each, all completed.
 */
const CHROMIUM = process.env.ARCA_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = path.resolve(__dirname, '..', 'output', 'console-reports');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const TODAY = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const START = TODAY - 11 * DAY; // policies known at its midnight; backups on its day and the 9 after
const PERIOD = { from: iso(START), to: iso(TODAY) }; // 11 whole days, all past: the reports do not move while the test runs
const ALPHA = randomUUID();
const BETA = randomUUID();
const FAILED = [4, 5];
const ALPHA_STATS = SIMULATED_STATS;
const BETA_STATS = { ...SIMULATED_STATS, bytesRead: 400_000, bytesNew: 40_000, bytesStored: 20_000 };

const stack = usePlatform();
let context: BrowserContext;
let page: Page;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run "npm run setup:browser" (apt-get install chromium, as root) before the console's browser test`);
  rmSync(OUTPUT, { recursive: true, force: true });
  mkdirSync(OUTPUT, { recursive: true });
  profile = mkdtempSync(path.join(os.tmpdir(), 'arca-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

type Totals = Array<{ site: string; days: Array<{ day: string; bytesStored: number }> }>;
interface StorageDaily { total: number; rows: Array<{ day: string; policyId: string | null; site: string; snapshots: number; bytesAdded: number; bytesStored: number; dedupeRatio: number | null; compressionRatio: number | null }>; totals: Totals }
interface Compliance { policies: Array<{ name: string; backups: { completed: number; failed: number }; rpo: { breaches: Array<{ from: string; to: string | null }> } }> }

async function playDays(): Promise<void> {
  const platform = stack.platform;
  const start = new Date(START);
  await withProducer(platform, (send) => send(TOPICS.policyChanged, [
    simulatedEvent(TOPICS.policyChanged, start, { policyId: ALPHA, version: 1, spec: simulatedPolicySpec('alpha', 1440, '0 2 * * *'), updatedAt: start.toISOString() }),
    simulatedEvent(TOPICS.policyChanged, start, { policyId: BETA, version: 1, spec: simulatedPolicySpec('beta', 720, '0 1,13 * * *'), updatedAt: start.toISOString() }),
  ]).then(() => undefined));
  await until(async () => (await api<{ rpo: unknown[] }>(platform, 'GET', '/reports/summary')).body.rpo?.length === 2 || undefined, 'both policies in reporting', 30_000, 200);
  const events = new SimulatedEvents();
  let first: { snapshotId: string | null; at: Date } | undefined;
  for (let d = 0; d < 10; d++) {
    const day = START + d * DAY;
    const alpha = events.backup(ALPHA, 'alpha', new Date(day + 2 * 3_600_000), !FAILED.includes(d), ALPHA_STATS);
    first ??= alpha;
    events.backup(BETA, 'beta', new Date(day + 3_600_000), true, BETA_STATS);
    events.backup(BETA, 'beta', new Date(day + 13 * 3_600_000), true, BETA_STATS);
  }
  await events.send(platform, [TOPICS.backupFailed, TOPICS.backupCompleted]);
  // alpha's first snapshot at the replica site an hour later, once reporting knows whose it is.
  await until(async () => ((await api<StorageDaily>(platform, 'GET', `/reports/storage-daily?from=${PERIOD.from}&to=${PERIOD.to}&limit=1000`)).body.rows?.reduce((n, r) => n + r.snapshots, 0) === 28) || undefined, 'reporting to fold the backups', 60_000, 300);
  events.add(TOPICS.replicationCompleted, new Date(first!.at.getTime() + 3_600_000), { snapshotId: first!.snapshotId, site: 'replica', objectsCopied: 3, bytesCopied: 60_000, lagMs: 3_600_000 });
  await events.send(platform);
}

/** The data-value of each point of one series of a chart, in order. */
const points = (chart: string, series: string) => page.locator(`[data-chart="${chart}"] circle.point[data-series="${series}"]`).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));

describe('the console\'s reports in Chromium', () => {
  it('keeps storage per day, policy and site, and forecasts a quota', async () => {
    const platform = stack.platform;
    await playDays();
    const daily = await until(async () => {
      const r = (await api<StorageDaily>(platform, 'GET', `/reports/storage-daily?from=${PERIOD.from}&to=${PERIOD.to}&limit=1000`)).body;
      return r.rows.some((row) => row.site === 'replica') && r.total === 19 ? r : undefined;
    }, 'the replica copy in storage-daily, beside a row for each of beta\'s 10 days and alpha\'s 8 good ones', 30_000, 300);
    expect(daily.rows.map((r) => r.snapshots).reduce((a, b) => a + b, 0)).toBe(29);
    const alphaRows = daily.rows.filter((r) => r.policyId === ALPHA && r.site === 'primary');
    expect(alphaRows.map((r) => r.bytesStored)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => n * 50_000)); // running totals
    expect(alphaRows[0]).toMatchObject({ day: PERIOD.from, snapshots: 1, bytesAdded: 50_000, dedupeRatio: 10, compressionRatio: 2 });
    expect(daily.rows.find((r) => r.site === 'replica')).toMatchObject({ day: PERIOD.from, policyId: ALPHA, snapshots: 1, bytesAdded: 60_000, bytesStored: 60_000 });
    const primary = daily.totals.find((t) => t.site === 'primary')!;
    expect(primary.days).toHaveLength(11);
    expect(primary.days.at(-1)!.bytesStored).toBe(8 * 50_000 + 20 * 20_000);
    expect(daily.totals.find((t) => t.site === 'replica')!.days.every((d) => d.bytesStored === 60_000)).toBe(true);
    // A page, and a bad query named.
    expect((await api<StorageDaily>(platform, 'GET', `/reports/storage-daily?from=${PERIOD.from}&to=${PERIOD.to}&limit=5&offset=15`)).body.rows).toHaveLength(4);
    expect(await api(platform, 'GET', '/reports/storage-daily?site=..')).toMatchObject({ status: 400, body: { message: [expect.stringMatching(/^site must be a site/)] } });
    const lag = (await api<{ rows: Array<{ site: string; completed: number; maxLagMs: number }> }>(platform, 'GET', `/reports/replication-lag-daily?from=${PERIOD.from}&to=${PERIOD.to}`)).body;
    expect(lag.rows).toEqual([expect.objectContaining({ site: 'replica', completed: 1, maxLagMs: 3_600_000 })]);

    // A tenant quota the forecast measures against: 2 MB at ~ (flat since the simulation ended) is never reached; 500 kB already is.
    expect(await api(platform, 'PUT', '/quotas/tenants/default', { bytes: 0 })).toMatchObject({ status: 400, body: { message: ['bytes must be at least 1'] } });
    expect((await api(platform, 'PUT', '/quotas/tenants/default', { bytes: 500_000 })).status).toBe(200);
    const forecast = (await api<{ quotaBytes: number; quotaReachedOn: string | null; quotas: Array<{ scope: string; reached: boolean; reachedOn: string | null }> }>(platform, 'GET', '/reports/storage-forecast?days=14')).body;
    expect(forecast).toMatchObject({ quotaBytes: 500_000, quotaReachedOn: expect.any(String) });
    expect(forecast.quotas).toEqual([expect.objectContaining({ scope: 'tenant', reached: true })]);
    expect((await api<Array<{ scope: string; name: string; bytes: number }>>(platform, 'GET', '/quotas')).body).toEqual([expect.objectContaining({ scope: 'tenant', name: 'default', bytes: 500_000 })]);
    expect((await arca(platform.gatewayUrl, ['report', 'storage-forecast', '--days', '14'])).stdout).toMatch(/quota +tenant default: .+ \(.+ stored\), reached on \d{4}-\d{2}-\d{2}/);
    expect((await api(platform, 'DELETE', '/quotas/tenants/default')).status).toBe(200);
    expect((await api(platform, 'DELETE', '/quotas/tenants/default')).status).toBe(404);
    const set = await until(async () => (await api<Array<{ action: string; target: string; details: Record<string, unknown> }>>(platform, 'GET', '/audit')).body.find((e) => e.action === 'quota.set'), 'quota.set in the audit log', 30_000, 300);
    expect(set).toMatchObject({ target: 'tenant:default', details: { bytes: 500_000, previousBytes: null } });
    const csv = (await arca(platform.gatewayUrl, ['report', 'storage-daily', '--from', PERIOD.from, '--to', PERIOD.to, '--csv'])).stdout.trim().split('\r\n');
    expect(csv[0]).toBe('day,policyId,policyName,site,snapshots,bytesRead,bytesNew,bytesAdded,bytesFreed,bytesStored,dedupeRatio,compressionRatio');
    expect(csv).toHaveLength(1 + 19);
  }, 180_000);

  it('draws storage per site, success per policy and the RPO timeline as the REST answers say, follows the filters, and downloads the CSV', async () => {
    const platform = stack.platform;
    await page.goto(platform.gatewayUrl + '/');
    await page.fill('#credential', platform.adminKey);
    await page.click('#signin-form button[type=submit]');
    await page.locator('#session').waitFor();
    await page.click('nav a[data-view="reports"]');
    await page.locator('#view-reports').waitFor();
    await page.fill('#rep-from', PERIOD.from);
    await page.fill('#rep-to', PERIOD.to);
    await page.click('#reports-form button[type=submit]');
    await expect.poll(() => page.locator('[data-chart="storage-daily"] circle.point').count()).toBe(22); // 11 days, 2 sites
    await page.screenshot({ path: path.join(OUTPUT, 'reports.png'), fullPage: true });

    const rest = async (query: string) => ({
      storage: (await api<StorageDaily>(platform, 'GET', `/reports/storage-daily?${query}&limit=1`)).body.totals,
      report: (await api<Compliance>(platform, 'GET', `/reports/compliance?${query}`)).body,
    });
    const all = await rest(`from=${PERIOD.from}&to=${PERIOD.to}`);
    for (const site of all.storage) expect(await points('storage-daily', site.site), site.site).toEqual(site.days.map((d) => d.bytesStored));
    const bars = async () => page.locator('[data-chart="policy-success"] rect.bar').evaluateAll((els) => els.map((e) => [e.getAttribute('data-label'), Number(e.getAttribute('data-value'))]));
    expect(await bars()).toEqual(all.report.policies.map((p) => [p.name, p.backups.completed / (p.backups.completed + p.backups.failed)]));
    expect(await bars()).toEqual([['alpha', 0.8], ['beta', 1]]);
    const breached = async (label: string) => page.locator(`[data-chart="rpo-timeline"] g[data-label="${label}"] rect.interval[data-state="breached"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-from')));
    const alpha = all.report.policies.find((p) => p.name === 'alpha')!;
    expect(alpha.rpo.breaches[0]).toMatchObject({ from: new Date(START + 4 * DAY + 2 * 3_600_000 + 60_000).toISOString(), to: new Date(START + 6 * DAY + 2 * 3_600_000 + 60_000).toISOString() });
    expect(await breached('alpha')).toEqual(alpha.rpo.breaches.map((b) => b.from));
    expect(await page.locator('[data-chart="rpo-timeline"] g[data-label="alpha"] rect.interval[data-state="met"]').count()).toBe(alpha.rpo.breaches.length + (alpha.rpo.breaches.at(-1)!.to === null ? 0 : 1));

    // One policy, and a shorter period: the charts follow.
    await page.selectOption('#rep-policy', { label: 'beta' });
    await page.fill('#rep-from', iso(START + 5 * DAY));
    await page.click('#reports-form button[type=submit]');
    await expect.poll(() => page.locator('[data-chart="policy-success"] rect.bar').count()).toBe(1);
    const beta = await rest(`from=${iso(START + 5 * DAY)}&to=${PERIOD.to}&policy=${BETA}`);
    expect(beta.storage.map((s) => s.site)).toEqual(['primary']);
    expect(await points('storage-daily', 'primary')).toEqual(beta.storage[0].days.map((d) => d.bytesStored));
    expect(beta.storage[0].days).toHaveLength(6);
    expect(beta.storage[0].days[0].bytesStored).toBe(12 * 20_000); // what beta stored before the period counts
    expect(await bars()).toEqual([['beta', 1]]);
    expect(await page.locator('[data-chart="rpo-timeline"] g.timeline-row').count()).toBe(1);

    // The compliance report as CSV, fetched with the console's key: what the gateway serves.
    const download = page.waitForEvent('download');
    await page.click('#rep-csv');
    const saved = await download;
    expect(saved.suggestedFilename()).toBe(`arca-compliance-${iso(START + 5 * DAY)}-${PERIOD.to}.csv`);
    const csv = readFileSync((await saved.path())!, 'utf8');
    const served = await fetch(`${platform.gatewayUrl}/reports/compliance?from=${iso(START + 5 * DAY)}&to=${PERIOD.to}&policy=${BETA}&format=csv`, { headers: { authorization: `Bearer ${platform.adminKey}` } });
    expect(csv).toBe(await served.text());
    expect(csv.split('\r\n')[1]).toMatch(/^beta,/);

    // A period the other way round is named, not sent.
    await page.fill('#rep-from', PERIOD.to);
    await page.fill('#rep-to', PERIOD.from);
    await page.click('#reports-form button[type=submit]');
    await expect.poll(() => page.textContent('#reports-errors')).toMatch(/from must come before to/);
  }, 120_000);
});
