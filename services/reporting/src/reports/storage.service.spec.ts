import { createEvent, TOPICS } from '@arca/contracts';
import { Messaging1763999999000, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadModelsService } from '../read-models.service';
import { ReportingMetrics } from '../reporting-metrics.service';
import { REPORTING_ENTITIES, REPORTING_MIGRATIONS } from '../schema';
import { WebhooksService } from '../webhooks/webhooks.service';
import { StorageService } from './storage.service';

const schema = createTestSchema('reporting_storage');
let dataSource: DataSource;
let readModels: ReadModelsService;
let storage: StorageService;
const GROUP = 'reporting';
const TENANT = 'storage-spec';

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema,
    entities: [...REPORTING_ENTITIES, OutboxEntity, ProcessedEventEntity],
    migrations: [Messaging1763999999000, ...REPORTING_MIGRATIONS],
  });
  readModels = new ReadModelsService(dataSource, new WebhooksService(dataSource), new ReportingMetrics(dataSource));
  storage = new StorageService(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
});

const stats = (stored: number) => ({ files: 1, dirs: 0, bytesRead: 10 * stored, bytesNew: 2 * stored, bytesStored: stored, chunks: 1, newChunks: 1, dedupeRatio: 5, compressionRatio: 2, durationMs: 1, throughputBytesPerSec: 1 });

function backup(policyId: string, snapshotId: string, at: string, stored: number) {
  const jobId = randomUUID();
  return { ...createEvent(TOPICS.backupCompleted, { jobId, snapshotId, policyId, source: { kind: 'directory', path: '/d' }, manifestKey: 'k', stats: stats(stored), errors: 0 } as never, { jobId, tenant: TENANT }), jobId, occurredAt: at };
}

describe('storage per day, policy and site', () => {
  it('adds each backup once, prunes under no policy and copies at their site, with running totals and every day of the period', async () => {
    const policyId = randomUUID();
    const first = backup(policyId, 'a'.repeat(64), '2026-03-01T02:00:00.000Z', 1000);
    await readModels.applyJobEvent(first as never, GROUP);
    await readModels.applyJobEvent(first as never, GROUP); // redelivered: same event id
    await readModels.applyJobEvent({ ...first, eventId: randomUUID() } as never, GROUP); // published again: the job is already completed
    await readModels.applyJobEvent(backup(policyId, 'b'.repeat(64), '2026-03-03T02:00:00.000Z', 500) as never, GROUP);
    const pruneJob = randomUUID();
    const prune = { jobId: pruneJob, dryRun: false, snapshotsPurged: [], snapshotsPurgedCount: 0, packsDeleted: 1, packsRewritten: 0, packsWritten: 0, orphansDeleted: 0, packsRescued: 0, packsLocked: 0, bytesFreed: 300, bytesWritten: 0, bytesUnused: 0, bytesStored: 1200, durationMs: 1 };
    await readModels.applyJobEvent({ ...createEvent(TOPICS.pruneCompleted, prune as never, { jobId: pruneJob, tenant: TENANT }), jobId: pruneJob, occurredAt: '2026-03-03T05:00:00.000Z' } as never, GROUP);
    const dry = randomUUID();
    await readModels.applyJobEvent({ ...createEvent(TOPICS.pruneCompleted, { ...prune, jobId: dry, dryRun: true } as never, { jobId: dry, tenant: TENANT }), jobId: dry, occurredAt: '2026-03-03T06:00:00.000Z' } as never, GROUP);
    const copy = createEvent(TOPICS.replicationCompleted, { snapshotId: 'a'.repeat(64), site: 'eu', objectsCopied: 2, bytesCopied: 900, lagMs: 60_000 }, { tenant: TENANT });
    await readModels.applyReplication({ ...copy, occurredAt: '2026-03-02T03:00:00.000Z' }, GROUP);
    await readModels.applyReplication({ ...copy, eventId: randomUUID(), occurredAt: '2026-03-02T04:00:00.000Z' }, GROUP); // copied again: counted once

    const daily = await storage.storageDaily(TENANT, { from: new Date('2026-03-01'), to: new Date('2026-03-05') }, {}, { limit: 100, offset: 0 });
    expect(daily.rows.map((r) => [r.day, r.site, r.policyId, r.snapshots, r.bytesAdded, r.bytesFreed, r.bytesStored])).toEqual([
      ['2026-03-01', 'primary', policyId, 1, 1000, 0, 1000],
      ['2026-03-02', 'eu', policyId, 1, 900, 0, 900],
      ['2026-03-03', 'primary', policyId, 1, 500, 0, 1500],
      ['2026-03-03', 'primary', null, 0, 0, 300, -300],
    ]);
    expect(daily.rows[0]).toMatchObject({ bytesRead: 10_000, bytesNew: 2000, dedupeRatio: 5, compressionRatio: 2 });
    expect(daily.totals).toEqual([
      { site: 'primary', days: [['01', 1000], ['02', 1000], ['03', 1200], ['04', 1200]].map(([d, v]) => ({ day: `2026-03-${d}`, bytesStored: v })) },
      { site: 'eu', days: [['01', 0], ['02', 900], ['03', 900], ['04', 900]].map(([d, v]) => ({ day: `2026-03-${d}`, bytesStored: v })) },
    ]);
    // A later period keeps what was stored before it; filters by site and policy.
    const later = await storage.storageDaily(TENANT, { from: new Date('2026-03-03'), to: new Date('2026-03-04') }, { site: 'primary', policyId }, { limit: 100, offset: 0 });
    expect(later.rows.map((r) => r.bytesStored)).toEqual([1500]);
    expect(later.totals).toEqual([{ site: 'primary', days: [{ day: '2026-03-03', bytesStored: 1500 }] }]);
    expect((await storage.storageDaily(TENANT, { from: new Date('2026-03-01'), to: new Date('2026-03-05') }, {}, { limit: 2, offset: 3 })).rows).toHaveLength(1);
  });

  it('forecasts a site against the tenant quota and the request quota, and says when each is reached', async () => {
    const tenant = 'forecast-spec';
    const policyId = randomUUID();
    for (let d = 1; d <= 4; d++) {
      const e = backup(policyId, String(d).repeat(64), `2026-04-0${d}T02:00:00.000Z`, 100);
      await readModels.applyJobEvent({ ...e, ...createEvent(TOPICS.backupCompleted, { ...(e.payload as object) } as never, { jobId: e.jobId, tenant }), jobId: e.jobId, occurredAt: e.occurredAt } as never, GROUP);
    }
    await storage.setQuota('tenant', tenant, 1000, 'key:admin');
    const f = await storage.storageForecast(tenant, 'primary', 4, 350, new Date('2026-04-04T12:00:00Z'));
    expect(f.days.map((d) => d.bytesStored)).toEqual([100, 200, 300, 400]);
    expect(f.growthBytesPerDay).toBe(100);
    expect(f.quotas).toEqual([
      { scope: 'tenant', name: tenant, quotaBytes: 1000, bytesStored: 400, reachedOn: '2026-04-10', reached: false },
      { scope: 'request', name: 'quotaBytes', quotaBytes: 350, bytesStored: 400, reachedOn: '2026-04-04', reached: true },
    ]);
    expect(f).toMatchObject({ quotaBytes: 350, quotaReachedOn: '2026-04-04' }); // the request's quota answers first
    expect((await storage.storageForecast(tenant, 'primary', 4, null, new Date('2026-04-04T12:00:00Z')))).toMatchObject({ quotaBytes: 1000, quotaReachedOn: '2026-04-10' });
    expect(await storage.quotas(tenant)).toEqual([expect.objectContaining({ scope: 'tenant', name: tenant, bytes: 1000, updatedBy: 'key:admin' })]);
    expect(await storage.removeQuota('tenant', tenant)).toBe(true);
    expect(await storage.removeQuota('tenant', tenant)).toBe(false);
  });
});
