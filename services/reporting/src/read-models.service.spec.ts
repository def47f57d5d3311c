import { createEvent, TOPICS } from '@arca/contracts';
import { Messaging1763999999000, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { JobViewEntity } from './entities/job-view.entity';
import { PolicyViewEntity } from './entities/policy-view.entity';
import { ReplicationViewEntity } from './entities/replication-view.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './entities/webhook-subscription.entity';
import { ReadModels1764000000000 } from './migrations/1764000000000-read-models';
import { AuditChain1765000000000 } from './migrations/1765000000000-audit-chain';
import { Webhooks1765000000100 } from './migrations/1765000000100-webhooks';
import { RpoWatch1766000000000 } from './migrations/1766000000000-rpo-watch';
import { ReadModelsService } from './read-models.service';
import { WebhooksService } from './webhooks/webhooks.service';

const schema = createTestSchema('reporting');
let dataSource: DataSource;
let readModels: ReadModelsService;
const GROUP = 'reporting';
const at = (iso: string) => ({ occurredAt: iso });

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema,
    entities: [JobViewEntity, AuditEntryEntity, PolicyViewEntity, ReplicationViewEntity, WebhookSubscriptionEntity, WebhookDeliveryEntity, OutboxEntity, ProcessedEventEntity],
    migrations: [Messaging1763999999000, ReadModels1764000000000, AuditChain1765000000000, Webhooks1765000000100, RpoWatch1766000000000],
  });
  readModels = new ReadModelsService(dataSource, new WebhooksService(dataSource));
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
    const rpo = async (now: string) => (await readModels.summary(new Date(now))).rpo.find((p) => p.policyId === policyId)!;
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

  it('counts cancelled backups as their own status, outside the success rate', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const source = { kind: 'directory' as const, path: '/d' };
    for (const jobId of ids) await readModels.applyJobEvent({ ...createEvent(TOPICS.backupRequested, { jobId, source, trigger: 'schedule' }, { jobId }), jobId } as never, GROUP);
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupCancelled, { jobId: ids[0], reason: 'window closed' }, { jobId: ids[0] }), jobId: ids[0] } as never, GROUP);
    await readModels.applyJobEvent({ ...createEvent(TOPICS.backupFailed, { jobId: ids[1], reason: 'no', stage: 'read' }, { jobId: ids[1] }), jobId: ids[1] } as never, GROUP);
    const { jobs } = await readModels.summary();
    expect(jobs).toMatchObject({ cancelled: 1, failed: 1 });
    expect(jobs.successRate).toBe(jobs.completed / (jobs.completed + jobs.failed));
  });
});
