import { decodePackList, EventEnvelope, PacksDeleted, PackStored, SnapshotStored, TOPICS } from '@arca/contracts';
import { handleOnce, Outbox } from '@arca/messaging';
import { ObjectStore } from '@arca/object-store';
import { OBJECT_STORE, REPLICA_OBJECT_STORE } from '@arca/service-kit';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ReplicatedObjectEntity } from './entities/replicated-object.entity';

/** Pack keys asked about per query (Postgres takes at most 65,535 parameters). */
const KNOWN_BATCH = 10_000;

/** The repository's key files travel with the data: without them the replica cannot be opened. */
const KEY_PREFIX = 'keys/';

/**
 * Copies a stored snapshot to the secondary site: every pack it references that is not there yet,
 * the key files, then the manifest last, so a manifest at the replica always has all its packs.
 */
@Injectable()
export class ReplicatorService {
  private readonly logger = new Logger('Replicator');

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(OBJECT_STORE) private readonly primary: ObjectStore,
    @Inject(REPLICA_OBJECT_STORE) private readonly replica: ObjectStore,
  ) {}

  async replicate(event: EventEnvelope<SnapshotStored>, group: string): Promise<void> {
    const site = process.env.REPLICA_SITE_NAME ?? 'replica';
    const { snapshotId, manifestKey, packListKey, time } = event.payload;
    let objectsCopied = 0;
    let bytesCopied = 0;
    try {
      const packKeys = decodePackList(await this.primary.get(packListKey));
      const known = new Set<string>();
      for (let i = 0; i < packKeys.length; i += KNOWN_BATCH) {
        for (const o of await this.dataSource.getRepository(ReplicatedObjectEntity).findBy({ key: In(packKeys.slice(i, i + KNOWN_BATCH)) })) known.add(o.key);
      }
      const keyFiles: string[] = [];
      for await (const item of this.primary.list(KEY_PREFIX)) keyFiles.push(item.key);
      for (const key of [...packKeys.filter((k) => !known.has(k)), ...keyFiles, packListKey, manifestKey]) {
        const bytes = await this.primary.get(key);
        await this.replica.put(key, bytes);
        await this.dataSource.createQueryBuilder().insert().into(ReplicatedObjectEntity).values({ key, size: bytes.length }).orUpdate(['size', 'copied_at'], ['key']).execute();
        objectsCopied++;
        bytesCopied += bytes.length;
      }
    } catch (error) {
      const reason = `copying snapshot ${snapshotId} to ${this.replica.describe()} failed: ${(error as Error).message}`;
      this.logger.warn(reason);
      await handleOnce(this.dataSource, group, event.eventId, (m) => this.outbox.enqueue(m, TOPICS.replicationFailed, { snapshotId, site, reason }, { tenant: event.tenant }).then(() => undefined));
      return;
    }
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await this.outbox.enqueue(m, TOPICS.replicationCompleted, { snapshotId, site, objectsCopied, bytesCopied, lagMs: Math.max(0, Date.now() - new Date(time).getTime()) }, { tenant: event.tenant });
    });
  }

  /**
   * A pack a prune wrote with chunks moved out of mostly unused packs: the index now places those
   * chunks there, so the replica needs it for restores of snapshots it already holds. Idempotent
   * (a redelivery copies the same bytes again). Other packs travel with their snapshots.
   */
  async copyRewrittenPack(event: EventEnvelope<PackStored>): Promise<void> {
    if (!event.payload.rewrite) return;
    const key = event.payload.packKey;
    const bytes = await this.primary.get(key);
    await this.replica.put(key, bytes);
    await this.dataSource.createQueryBuilder().insert().into(ReplicatedObjectEntity).values({ key, size: bytes.length }).orUpdate(['size', 'copied_at'], ['key']).execute();
  }

  /** Packs a prune deleted at the primary: no live snapshot references them, so the replica lets them go too. */
  async deletePacks(event: EventEnvelope<PacksDeleted>): Promise<void> {
    const keys = event.payload.packKeys;
    const copied = await this.dataSource.getRepository(ReplicatedObjectEntity).findBy({ key: In(keys) });
    for (const o of copied) await this.replica.delete(o.key);
    if (copied.length > 0) await this.dataSource.getRepository(ReplicatedObjectEntity).delete({ key: In(copied.map((o) => o.key)) });
  }
}
