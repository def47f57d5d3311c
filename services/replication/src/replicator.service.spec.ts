import { encodePackList } from '@arca/contracts';
import { Messaging1763999999000, Outbox, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { FsObjectStore, ObjectStore } from '@arca/object-store';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { MetricsService } from '@arca/service-kit';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyQueue } from './copy-queue.service';
import { ReplicatedObjectEntity } from './entities/replicated-object.entity';
import { ReplicationObjectOpEntity } from './entities/replication-object-op.entity';
import { ReplicationCopyEntity } from './entities/replication-copy.entity';
import { ReplicationPolicyEntity } from './entities/replication-policy.entity';
import { ReplicationRpoBreachEntity } from './entities/replication-rpo-breach.entity';
import { ReplicationSiteEntity } from './entities/replication-site.entity';
import { Replication1764000000000 } from './migrations/1764000000000-replication';
import { ReplicationCopies1769200000000 } from './migrations/1769200000000-replication-copies';
import { ReplicatorService } from './replicator.service';

const schema = createTestSchema('replicator');
const root = mkdtempSync(path.join(os.tmpdir(), 'arca-replicator-'));
let dataSource: DataSource;

/** The replica's store, recording each put and failing the put of `failOn` once (the site breaking mid-copy). */
class FlakyReplica extends FsObjectStore {
  readonly puts: string[] = [];
  failOn: string | undefined;

  override async put(key: string, body: Buffer): Promise<void> {
    if (key === this.failOn) {
      this.failOn = undefined;
      throw new Error('connection reset by the replica');
    }
    this.puts.push(key);
    await super.put(key, body);
  }
}

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema,
    entities: [ReplicatedObjectEntity, ReplicationObjectOpEntity, ReplicationCopyEntity, ReplicationPolicyEntity, ReplicationSiteEntity, ReplicationRpoBreachEntity, OutboxEntity, ProcessedEventEntity],
    migrations: [Messaging1763999999000, Replication1764000000000, ReplicationCopies1769200000000],
  });
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
  rmSync(root, { recursive: true, force: true });
});

/** A snapshot of `packs` packs of `size` random bytes each at the primary, queued for the replica; its id. */
async function storedSnapshot(primary: ObjectStore, queue: CopyQueue, count: number, size: number): Promise<{ id: string; packs: string[] }> {
  const packs = Array.from({ length: count }, () => { const hex = randomBytes(32).toString('hex'); return `data/${hex.slice(0, 2)}/${hex}`; });
  for (const key of packs) await primary.put(key, randomBytes(size));
  await primary.put('keys/repo', Buffer.from('{"wrapped":"key"}'));
  const id = randomBytes(32).toString('hex');
  await primary.put(`packlists/${id}`, encodePackList(packs));
  await primary.put(`snapshots/${id}`, Buffer.from('{"manifest":true}'));
  await dataSource.transaction((m) => queue.queue(m, 'default', {
    jobId: randomUUID(), snapshotId: id, manifestKey: `snapshots/${id}`, packListKey: `packlists/${id}`, time: new Date().toISOString(),
    source: { kind: 'directory', path: '/data' }, stats: { bytesStored: count * size } as never, packCount: count,
  }));
  return { id, packs };
}

describe('the bandwidth limit of copies to the replica', () => {
  it('holds a copy to the limit on average', async () => {
    process.env.REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC = String(256 * 1024);
    let queue: CopyQueue;
    try {
      queue = new CopyQueue(dataSource, new Outbox());
    } finally {
      delete process.env.REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC;
    }
    const primary = new FsObjectStore(path.join(root, 'limited-primary'));
    const replicator = new ReplicatorService(dataSource, queue, primary, new FsObjectStore(path.join(root, 'limited-replica')), new MetricsService('replication-test'));
    const { id } = await storedSnapshot(primary, queue, 4, 64 * 1024); // 256 KiB of packs: at least a second at 256 KiB/s
    const started = Date.now();
    await replicator.runDue();
    expect(Date.now() - started).toBeGreaterThanOrEqual(980);
    expect(await dataSource.getRepository(ReplicationCopyEntity).findOneByOrFail({ snapshotId: id })).toMatchObject({ status: 'completed' });
  });
});

/** Two sites in folders of their own (the replica a FlakyReplica), and a replicator between them. */
function sites(name: string) {
  const primary: ObjectStore = new FsObjectStore(path.join(root, `${name}-primary`));
  const replica = new FlakyReplica(path.join(root, `${name}-replica`));
  const queue = new CopyQueue(dataSource, new Outbox());
  return { primary, replica, queue, replicator: new ReplicatorService(dataSource, queue, primary, replica, new MetricsService('replication-test')) };
}

describe('a copy interrupted midway', () => {
  it('resumes with the objects the site does not hold yet, and completes once', async () => {
    const { primary, replica, queue, replicator } = sites('midway');
    const { id, packs } = await storedSnapshot(primary, queue, 4, 4096);

    replica.failOn = packs[2];
    await replicator.runDue();
    expect(replica.puts).toEqual([packs[0], packs[1]]);
    const failed = await dataSource.getRepository(ReplicationCopyEntity).findOneByOrFail({ snapshotId: id });
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, announced: true, lastError: expect.stringMatching(/connection reset by the replica/) });
    expect(failed.bytesPending).toBeGreaterThanOrEqual(2 * 4096); // the two packs not yet there, and the small objects

    await dataSource.getRepository(ReplicationCopyEntity).update({ snapshotId: id }, { nextAttemptAt: new Date(Date.now() - 1) }); // its backoff ran out
    await replicator.runDue();
    expect(replica.puts.slice(2)).toEqual([packs[2], packs[3], 'keys/repo', `packlists/${id}`, `snapshots/${id}`]);
    expect(await dataSource.getRepository(ReplicationCopyEntity).findOneByOrFail({ snapshotId: id })).toMatchObject({ status: 'completed', attempts: 2, bytesPending: 0 });
    const topics = (await dataSource.getRepository(OutboxEntity).find({ order: { id: 'ASC' } })).filter((o) => (o.envelope as { payload: { snapshotId: string } }).payload.snapshotId === id).map((o) => o.topic);
    expect(topics).toEqual(['replication.failed', 'replication.completed']);
    for (const key of [...packs, `snapshots/${id}`]) expect((await replica.get(key)).equals(await primary.get(key))).toBe(true);
  });
});

describe("a prune's packs at the replica", () => {
  it('copies a rewritten pack and deletes deleted ones, retrying with backoff while the replica fails', async () => {
    const { primary, replica, queue, replicator } = sites('prune');
    const [rewritten, deleted] = ['data/aa/' + 'a'.repeat(64), 'data/bb/' + 'b'.repeat(64)];
    await primary.put(rewritten, randomBytes(1000));
    await replica.put(deleted, randomBytes(1000));

    replica.failOn = rewritten;
    await dataSource.transaction((m) => queue.queueObjects(m, 'put', [rewritten]));
    await dataSource.transaction((m) => queue.queueObjects(m, 'delete', [deleted]));
    await replicator.runDue();
    expect(await replica.stat(deleted)).toBeNull();
    expect(await replica.stat(rewritten)).toBeNull(); // its put failed: queued again with backoff
    expect(await queue.dueObjects()).toEqual([]); // not due before its backoff runs out
    const [pending] = await dataSource.getRepository(ReplicationObjectOpEntity).find();
    expect(pending).toMatchObject({ key: rewritten, op: 'put', attempts: 1, lastError: expect.stringMatching(/connection reset/) });

    await dataSource.query(`UPDATE "${schema.schema}".replication_object_ops SET next_attempt_at = now() - interval '1 second'`);
    await replicator.runDue();
    expect((await replica.get(rewritten)).equals(await primary.get(rewritten))).toBe(true);
    expect(await queue.dueObjects()).toEqual([]);
  });
});

