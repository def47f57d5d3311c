import { Messaging1763999999000, Outbox, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CopyQueue } from './copy-queue.service';
import { ReplicatedObjectEntity } from './entities/replicated-object.entity';
import { ReplicationObjectOpEntity } from './entities/replication-object-op.entity';
import { ReplicationCopyEntity } from './entities/replication-copy.entity';
import { ReplicationPolicyEntity } from './entities/replication-policy.entity';
import { ReplicationRpoBreachEntity } from './entities/replication-rpo-breach.entity';
import { ReplicationSiteEntity } from './entities/replication-site.entity';
import { Replication1764000000000 } from './migrations/1764000000000-replication';
import { ReplicationCopies1769200000000 } from './migrations/1769200000000-replication-copies';

const schema = createTestSchema('replication_queue');
let dataSource: DataSource;
let queue: CopyQueue;

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema,
    entities: [ReplicatedObjectEntity, ReplicationObjectOpEntity, ReplicationCopyEntity, ReplicationPolicyEntity, ReplicationSiteEntity, ReplicationRpoBreachEntity, OutboxEntity, ProcessedEventEntity],
    migrations: [Messaging1763999999000, Replication1764000000000, ReplicationCopies1769200000000],
  });
  queue = new CopyQueue(dataSource, new Outbox());
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
});

beforeEach(async () => {
  for (const entity of [ReplicationCopyEntity, ReplicationSiteEntity, ReplicationRpoBreachEntity, ReplicationPolicyEntity, OutboxEntity]) await dataSource.getRepository(entity).clear();
});

const snapshotId = () => randomBytes(32).toString('hex');

async function queueSnapshot(id: string, options: { policyId?: string; time?: Date; tenant?: string } = {}): Promise<void> {
  await dataSource.transaction((m) => queue.queue(m, options.tenant ?? 'default', {
    jobId: randomUUID(), snapshotId: id, manifestKey: `snapshots/${id}`, packListKey: `packlists/${id}`, time: (options.time ?? new Date()).toISOString(),
    source: { kind: 'directory', path: '/data' }, stats: { bytesStored: 1234 } as never, packCount: 1, ...(options.policyId ? { policyId: options.policyId } : {}),
  }));
}

const outbox = async () => (await dataSource.getRepository(OutboxEntity).find({ order: { id: 'ASC' } })).map((o) => ({ topic: o.topic, payload: (o.envelope as { payload: Record<string, unknown> }).payload }));

describe('the copy queue', () => {
  it('keeps a failing copy queued with backoff, announcing one replication.failed per site episode', async () => {
    const [a, b] = [snapshotId(), snapshotId()];
    await queueSnapshot(a);
    await queueSnapshot(b);
    const first = (await queue.claimNext())!;
    expect(first.snapshotId).toBe(a);
    expect(await queue.fail(first, 'replica refused')).toMatchObject({ announced: true });
    const second = (await queue.claimNext())!;
    expect(second.snapshotId).toBe(b); // a waits for its retry
    expect(await queue.fail(second, 'replica refused')).toMatchObject({ announced: false }); // the same episode
    expect(await queue.claimNext()).toBeUndefined();
    expect((await queue.lag())[0]).toMatchObject({ site: 'replica', snapshotsPending: 2, bytesPending: 2468 });

    // Due again (as the backoff's wait runs out): a is retried and lands; the episode is over.
    await dataSource.getRepository(ReplicationCopyEntity).update({ status: 'pending' }, { nextAttemptAt: new Date(Date.now() - 1) });
    const retried = (await queue.claimNext())!;
    expect(retried).toMatchObject({ snapshotId: a, attempts: 1 });
    await queue.complete(retried, { objectsCopied: 3, bytesCopied: 1234 });
    const events = await outbox();
    expect(events.map((e) => e.topic)).toEqual(['replication.failed', 'replication.completed']);
    expect(events[0].payload).toMatchObject({ snapshotId: a, site: 'replica', reason: 'replica refused', attempt: 1 });
    expect(events[1].payload).toMatchObject({ snapshotId: a, attempts: 2, bytesCopied: 1234 });
    // b fails again after the site recovered: it was covered by the first episode's announcement, so not told again.
    const again = (await queue.claimNext())!;
    expect(again.snapshotId).toBe(b);
    expect(await queue.fail(again, 'its own cause')).toMatchObject({ announced: false });
    // A new snapshot failing now begins a new episode.
    const c = snapshotId();
    await queueSnapshot(c);
    expect(await queue.fail((await queue.claimNext())!, 'replica refused again')).toMatchObject({ announced: true });
    expect((await outbox()).filter((e) => e.topic === 'replication.failed').map((e) => e.payload.snapshotId)).toEqual([a, c]);
  });

  it("keeps each tenant's episode apart: a tenant hears of an outage in its own events", async () => {
    const [a, b] = [snapshotId(), snapshotId()];
    await queueSnapshot(a, { tenant: 'acme' });
    await queueSnapshot(b, { tenant: 'globex' });
    expect(await queue.fail((await queue.claimNext())!, 'replica refused')).toMatchObject({ announced: true });
    expect(await queue.fail((await queue.claimNext())!, 'replica refused')).toMatchObject({ announced: true });
    const failed = await dataSource.getRepository(OutboxEntity).find({ where: { topic: 'replication.failed' } });
    expect(failed.map((o) => (o.envelope as { tenant?: string }).tenant).sort()).toEqual(['acme', 'globex']);
    expect((await queue.lag('acme'))[0]).toMatchObject({ snapshotsPending: 1, failingSince: expect.any(String) });
    expect((await queue.lag('initech'))[0]).toMatchObject({ snapshotsPending: 0, failingSince: null });
  });

  it('gives a copy back once its claim runs out, and never claims it twice meanwhile', async () => {
    const a = snapshotId();
    await queueSnapshot(a);
    const claimed = (await queue.claimNext())!;
    expect(await queue.claimNext()).toBeUndefined();
    await dataSource.getRepository(ReplicationCopyEntity).update({ snapshotId: a }, { claimedUntil: new Date(Date.now() - 1) });
    expect((await queue.claimNext())?.snapshotId).toBe(claimed.snapshotId);
  });

  it('takes back at once the copies a dead worker of this host held, not those of live ones', async () => {
    const [dead, live] = [snapshotId(), snapshotId()];
    await queueSnapshot(dead);
    await queueSnapshot(live);
    const until = new Date(Date.now() + 60_000);
    await dataSource.getRepository(ReplicationCopyEntity).update({ snapshotId: dead }, { claimedBy: `${os.hostname()}:2147483646`, claimedUntil: until });
    await dataSource.getRepository(ReplicationCopyEntity).update({ snapshotId: live }, { claimedBy: `${os.hostname()}:${process.ppid}`, claimedUntil: until });
    expect(await queue.claimNext()).toBeUndefined();
    expect(await queue.releaseDeadClaims()).toBe(1);
    expect((await queue.claimNext())?.snapshotId).toBe(dead);
    expect(await queue.claimNext()).toBeUndefined();
  });

  it('abandons the copy of a forgotten snapshot', async () => {
    const a = snapshotId();
    await queueSnapshot(a);
    await dataSource.transaction((m) => queue.abandon(m, { snapshotId: a, reason: 'keepLast 1', by: 'retention', actor: 'x' }));
    expect(await queue.claimNext()).toBeUndefined();
    expect((await queue.lag())[0].snapshotsPending).toBe(0);
  });
});

describe('the RPO watch at the replica site', () => {
  it('publishes policy.rpo_breached with the site once a snapshot waited longer than the RPO, once, then rpo_restored', async () => {
    const policyId = randomUUID();
    await dataSource.transaction((m) => queue.applyPolicy(m, 'default', {
      policyId, version: 1, updatedAt: new Date().toISOString(),
      spec: { name: 'hourly', rpoMinutes: 60, source: { kind: 'directory', path: '/data' }, schedule: { cron: '0 * * * *', timezone: 'UTC' }, retention: { keepLast: 3 } },
    }));
    const time = new Date('2026-12-03T10:00:00Z');
    const a = snapshotId();
    await queueSnapshot(a, { policyId, time });
    expect(await queue.watchRpo(new Date('2026-12-03T11:00:00Z'))).toBe(0); // exactly the RPO: not yet
    expect(await queue.watchRpo(new Date('2026-12-03T11:00:01Z'))).toBe(1);
    expect(await queue.watchRpo(new Date('2026-12-03T11:30:00Z'))).toBe(0); // announced once
    await queue.complete((await queue.claimNext())!, { objectsCopied: 1, bytesCopied: 1 });
    expect(await queue.watchRpo(new Date('2026-12-03T11:31:00Z'))).toBe(1);
    const rpo = (await outbox()).filter((e) => e.topic.startsWith('policy.'));
    expect(rpo).toEqual([
      { topic: 'policy.rpo_breached', payload: { policyId, lastSuccessAt: null, rpoMinutes: 60, detectedAt: '2026-12-03T11:00:01.000Z', site: 'replica' } },
      { topic: 'policy.rpo_restored', payload: expect.objectContaining({ policyId, site: 'replica', breachedAt: '2026-12-03T11:00:01.000Z', restoredAt: '2026-12-03T11:31:00.000Z' }) },
    ]);
  });
});
