import { createEvent, TOPICS } from '@arca/contracts';
import { Messaging1763999999000, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { openTelemetryPrometheusText } from '@arca/telemetry';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadModelsService } from './read-models.service';
import { ReportingMetrics } from './reporting-metrics.service';
import { WebhooksService } from './webhooks/webhooks.service';
import { REPORTING_ENTITIES, REPORTING_MIGRATIONS } from './schema';

const schema = createTestSchema('reporting');
let dataSource: DataSource;
let readModels: ReadModelsService;
const GROUP = 'reporting';
const at = (iso: string) => ({ occurredAt: iso });

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema,
    entities: [...REPORTING_ENTITIES, OutboxEntity, ProcessedEventEntity],
    migrations: [Messaging1763999999000, ...REPORTING_MIGRATIONS],
  });
  readModels = new ReadModelsService(dataSource, new WebhooksService(dataSource), new ReportingMetrics(dataSource));
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
});

describe('the summary', () => {
  it('shows RPO compliance per policy by the scheduler rule, and the breach the scheduler announced until it is restored', async () => {
    const policyId = randomUUID();
    const spec = { name: 'nightly', source: { kind: 'directory' as const, path: '/d' }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 60, retention: { keepLast: 1 } };
    await readModels.applyPolicyChanged({ ...createEvent(TOPICS.policyChanged, { policyId, version: 1, spec, updatedAt: '2026-05-01T00:00:00Z' }), ...at('2026-05-01T00:00:00.000Z') }, GROUP);
    const rpo = async (now: string) => (await readModels.summary('default', new Date(now))).rpo.find((p) => p.policyId === policyId)!;
    expect(await rpo('2026-05-01T00:59:00Z')).toMatchObject({ compliant: true, lastSuccessAt: null, breachedAt: null }); // within its first RPO
    expect(await rpo('2026-05-01T01:01:00Z')).toMatchObject({ compliant: false });

    await readModels.applyRpoEvent(createEvent(TOPICS.policyRpoBreached, { policyId, lastSuccessAt: null, rpoMinutes: 60, detectedAt: '2026-05-01T01:00:01.000Z' }), GROUP);
    expect((await rpo('2026-05-01T01:01:00Z')).breachedAt).toEqual(new Date('2026-05-01T01:00:01.000Z'));

    const jobId = randomUUID();
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupCompleted, {
      jobId, snapshotId: 'b'.repeat(64), policyId, source: spec.source, manifestKey: 'k', stats: { bytesRead: 1 } as never, errors: 0,
    }, { jobId }), jobId, ...at('2026-05-01T01:30:00.000Z') } as never, GROUP);
    await readModels.applyRpoEvent(createEvent(TOPICS.policyRpoRestored, {
      policyId, lastSuccessAt: '2026-05-01T01:30:00.000Z', rpoMinutes: 60, breachedAt: '2026-05-01T01:00:01.000Z', restoredAt: '2026-05-01T01:30:01.000Z',
    }), GROUP);
    expect(await rpo('2026-05-01T02:00:00Z')).toMatchObject({ compliant: true, breachedAt: null, ageMinutes: 30 });
  });

  it("leaves a replica site's RPO breach (replication's, with a site) out of the policy's own RPO state", async () => {
    const policyId = randomUUID();
    const spec = { name: 'replicated', source: { kind: 'directory' as const, path: '/d' }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 60, retention: { keepLast: 1 } };
    await readModels.applyPolicyChanged({ ...createEvent(TOPICS.policyChanged, { policyId, version: 1, spec, updatedAt: '2026-05-01T00:00:00Z' }), ...at('2026-05-01T00:00:00.000Z') }, GROUP);
    await readModels.applyRpoEvent(createEvent(TOPICS.policyRpoBreached, { policyId, lastSuccessAt: null, rpoMinutes: 60, detectedAt: '2026-05-01T01:00:01.000Z', site: 'replica' }), GROUP);
    expect((await readModels.summary('default', new Date('2026-05-01T00:30:00Z'))).rpo.find((p) => p.policyId === policyId)).toMatchObject({ compliant: true, breachedAt: null });
  });

  it('counts cancelled backups as their own status, outside the success rate', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const source = { kind: 'directory' as const, path: '/d' };
    for (const jobId of ids) await readModels.applyJobEvent({ ...createEvent(TOPICS.backupRequested, { jobId, source, trigger: 'schedule' }, { jobId }), jobId } as never, GROUP);
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupCancelled, { jobId: ids[0], reason: 'window closed' }, { jobId: ids[0] }), jobId: ids[0] } as never, GROUP);
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupFailed, { jobId: ids[1], reason: 'no', stage: 'read' }, { jobId: ids[1] }), jobId: ids[1] } as never, GROUP);
    const { jobs } = await readModels.summary('default');
    expect(jobs).toMatchObject({ cancelled: 1, failed: 1 });
    expect(jobs.successRate).toBe(jobs.completed / (jobs.completed + jobs.failed));
  });
});

describe('the history behind the console charts', () => {
  it('lists completed backups with their throughput and ratios, stored bytes after each backup and prune, and success per policy', async () => {
    const policyId = randomUUID();
    const spec = { name: 'charted', source: { kind: 'directory' as const, path: '/c' }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 60, retention: { keepLast: 1 } };
    await readModels.applyPolicyChanged({ ...createEvent(TOPICS.policyChanged, { policyId, version: 1, spec, updatedAt: '2031-01-01T00:00:00Z' }), ...at('2031-01-01T00:00:00.000Z') }, GROUP);
    const complete = async (when: string, stats: Record<string, number | null>) => {
      const jobId = randomUUID();
      await readModels.applyJobEvent({ ...createEvent(TOPICS.backupRequested, { jobId, policyId, source: spec.source, trigger: 'manual' }, { jobId }), jobId, ...at(when) } as never, GROUP);
      await readModels.applyJobEvent({ ...createEvent(TOPICS.backupCompleted, { jobId, snapshotId: 'c'.repeat(64), policyId, source: spec.source, manifestKey: 'k', stats: stats as never, errors: 0 }, { jobId }), jobId, ...at(when) } as never, GROUP);
      return jobId;
    };
    const first = await complete('2031-01-01T01:00:00.000Z', { bytesRead: 4000, bytesNew: 2000, bytesStored: 1000, durationMs: 2000, throughputBytesPerSec: 2000, dedupeRatio: 2, compressionRatio: 2 });
    const second = await complete('2031-01-01T02:00:00.000Z', { bytesRead: 4000, bytesNew: 0, bytesStored: 50, durationMs: 1000, throughputBytesPerSec: 4000, dedupeRatio: null, compressionRatio: null });
    const failed = randomUUID();
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupRequested, { jobId: failed, policyId, source: spec.source, trigger: 'schedule' }, { jobId: failed }), jobId: failed, ...at('2031-01-01T03:00:00.000Z') } as never, GROUP);
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupFailed, { jobId: failed, reason: 'disk gone', stage: 'read' }, { jobId: failed }), jobId: failed, ...at('2031-01-01T03:00:01.000Z') } as never, GROUP);
    const prune = randomUUID();
    await readModels.applyJobEvent({ jobId: prune, eventId: randomUUID(), type: 'prune.requested', occurredAt: '2031-01-01T04:00:00.000Z', payload: { jobId: prune } }, GROUP);
    await readModels.applyJobEvent({ jobId: prune, eventId: randomUUID(), type: 'prune.completed', occurredAt: '2031-01-01T04:00:05.000Z', payload: { jobId: prune, stats: { dryRun: false, bytesFreed: 300 } } }, GROUP);
    // A backup before the window is left out of the lists but counted in the stored total.
    await complete('2030-12-20T00:00:00.000Z', { bytesRead: 10, bytesNew: 10, bytesStored: 10, durationMs: 1, throughputBytesPerSec: 10, dedupeRatio: 1, compressionRatio: 1 });

    const history = await readModels.history('default', 1, new Date('2031-01-01T12:00:00Z'));
    expect(history.since).toBe('2030-12-31T12:00:00.000Z');
    expect(history.backups.map((b) => b.jobId)).toEqual([first, second]);
    expect(history.backups[0]).toMatchObject({ policyId, policyName: 'charted', throughputBytesPerSec: 2000, dedupeRatio: 2, compressionRatio: 2, bytesStored: 1000 });
    expect(history.backups[1]).toMatchObject({ throughputBytesPerSec: 4000, dedupeRatio: null, compressionRatio: null });
    expect(history.storage.map((p) => p.after)).toEqual(['backup', 'backup', 'prune']);
    const [a, b, c] = history.storage.map((p) => p.bytesStored);
    expect([b - a, c - b]).toEqual([50, -300]);
    expect(history.policies.find((p) => p.policyId === policyId)).toEqual({ policyId, name: 'charted', completed: 2, failed: 1, cancelled: 0, successRate: 2 / 3 });
  });
});

describe('the job timeline', () => {
  it("keeps each event's service and trace context, once per event, and answers them in order with the failure", async () => {
    const jobId = randomUUID();
    const traceId = 'aa'.repeat(16);
    const origin = (service: string, span: string) => ({ service, traceId, spanId: span.repeat(16) });
    const requested = { ...createEvent(TOPICS.backupRequested, { jobId, source: { kind: 'directory' as const, path: '/t' }, trigger: 'manual' as const }, { jobId }), jobId, ...at('2032-01-01T00:00:00.000Z') };
    await readModels.applyJobEvent(requested as never, GROUP, origin('scheduler', '1'));
    await readModels.applyJobEvent(requested as never, GROUP, origin('scheduler', '1')); // redelivered
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupFailed, { jobId, reason: 'source /t does not exist', stage: 'read' }, { jobId }), jobId, ...at('2032-01-01T00:00:02.000Z') } as never, GROUP, origin('ingest', '2'));
    // an event without headers (published before this change): the catalogue names its publisher
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupStarted, { jobId, source: { kind: 'directory', path: '/t' }, worker: 'w' }, { jobId }), jobId, ...at('2032-01-01T00:00:01.000Z') } as never, GROUP);
    const job = await readModels.job('default', jobId);
    expect(job).toMatchObject({ status: 'failed', traceId, failure: { service: 'ingest', stage: 'read', error: 'source /t does not exist', at: '2032-01-01T00:00:02.000Z' } });
    expect(job.timeline.map((e) => [e.type, e.service, e.durationMs, e.traceId])).toEqual([
      ['backup.requested', 'scheduler', 1000, traceId], ['backup.started', 'ingest', 1000, null], ['backup.failed', 'ingest', null, traceId],
    ]);
  });
});

describe('the job, RPO and replication metrics', () => {
  /** The value of one series on the OpenTelemetry part of /metrics, or NaN. */
  const series = async (name: string) => {
    const line = (await openTelemetryPrometheusText()).split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : NaN;
  };

  it('counts each job once at its outcome, with duration and bytes, and reports RPO state and replication backlog per scrape', async () => {
    const metrics = new ReportingMetrics(dataSource);
    const readModels = new ReadModelsService(dataSource, new WebhooksService(dataSource), metrics);
    metrics.onModuleInit();
    try {
      const tenant = `m${randomUUID().slice(0, 8)}`;
      const counted = `arca_jobs_total{kind="backup",outcome="completed",tenant="${tenant}"}`;
      const policyId = randomUUID();
      const spec = { name: 'metered', source: { kind: 'directory' as const, path: '/m' }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 60, retention: { keepLast: 1 } };
      const hourAgo = new Date(Date.now() - 3600_000 - 60_000).toISOString();
      await readModels.applyPolicyChanged({ ...createEvent(TOPICS.policyChanged, { policyId, version: 1, spec, updatedAt: hourAgo }, { tenant }), ...at(hourAgo) }, GROUP);
      const rpoLabels = `{policy_id="${policyId}",policy="metered",tenant="${tenant}"}`;
      expect(await series(`arca_policy_rpo_breached${rpoLabels}`)).toBe(1); // known for over its RPO, never backed up
      expect(await series(`arca_policy_rpo_seconds${rpoLabels}`)).toBe(3600);

      const jobId = randomUUID();
      const snapshotId = randomUUID().replace(/-/g, '').repeat(2);
      const requested = { ...createEvent(TOPICS.backupRequested, { jobId, policyId, source: spec.source, trigger: 'manual' }, { jobId, tenant }), jobId, ...at(new Date(Date.now() - 4000).toISOString()) };
      const completed = { ...createEvent(TOPICS.backupCompleted, {
        jobId, snapshotId, policyId, source: spec.source, manifestKey: 'k', stats: { bytesRead: 5000, bytesNew: 3000, bytesStored: 1500 } as never, errors: 0,
      }, { jobId, tenant }), jobId, ...at(new Date().toISOString()) };
      const before = (await series(counted)) || 0;
      await readModels.applyJobEvent(requested as never, GROUP);
      await readModels.applyJobEvent(completed as never, GROUP);
      await readModels.applyJobEvent(completed as never, GROUP); // redelivered: handled once
      await readModels.applyJobEvent({ ...completed, eventId: randomUUID() } as never, 'another-group'); // a late copy: the job is already finished
      expect(await series(counted)).toBe(before + 1);
      const page = await openTelemetryPrometheusText();
      expect(page).toMatch(/^arca_job_duration_seconds_bucket\{kind="backup",outcome="completed",le="5"\} [1-9]/m);
      expect(page).toMatch(/^arca_job_bytes_sum\{kind="backup",measure="read"\} [1-9]/m);
      await new Promise((r) => setTimeout(r, 1100)); // past the gauges' shared read of one scrape
      expect(await series(`arca_policy_rpo_breached${rpoLabels}`)).toBe(0);
      expect(await series('arca_replication_pending_snapshots')).toBeGreaterThanOrEqual(1);

      await readModels.applyReplication(createEvent(TOPICS.replicationCompleted, { snapshotId, site: 'metrics-site', bytesCopied: 1, packsCopied: 1, lagMs: 2500 } as never, { tenant }), GROUP);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await series('arca_replication_lag_seconds{site="metrics-site"}')).toBe(2.5);
    } finally {
      metrics.onModuleDestroy();
    }
  });
});
