import { EventEnvelope, PacksDeleted, PackStored, SnapshotForgotten, SnapshotStored, sourceIdentity, tenantOfEvent } from '@arca/contracts';
import { handleOnce } from '@arca/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { SnapshotUsageEntity } from './entities/snapshot-usage.entity';
import { StoredPackEntity } from './entities/stored-pack.entity';

/** Accounts object-store usage per tenant and per policy from pack.stored and snapshot.stored (the envelope's tenant). */
@Injectable()
export class UsageService {
  constructor(private readonly dataSource: DataSource) {}

  async recordPack(event: EventEnvelope<PackStored>, group: string): Promise<void> {
    const p = event.payload;
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.createQueryBuilder().insert().into(StoredPackEntity).values({
        key: p.packKey, size: p.size, rawBytes: p.rawBytes, chunkCount: p.chunkCount, jobId: p.jobId, policyId: p.policyId ?? null, storedAt: new Date(event.occurredAt), tenant: tenantOfEvent(event),
      }).orIgnore().execute();
    });
  }

  async recordSnapshot(event: EventEnvelope<SnapshotStored>, group: string): Promise<void> {
    const p = event.payload;
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.createQueryBuilder().insert().into(SnapshotUsageEntity).values({
        snapshotId: p.snapshotId, policyId: p.policyId ?? null, sourceKind: p.source.kind, sourceId: sourceIdentity(p.source), time: new Date(p.time),
        bytesRead: p.stats.bytesRead, bytesStored: p.stats.bytesStored, packCount: p.packCount, tenant: tenantOfEvent(event),
      }).orIgnore().execute();
    });
  }

  /** A prune deleted these packs: they no longer count towards usage. */
  async forgetPacks(event: EventEnvelope<PacksDeleted>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.delete(StoredPackEntity, { key: In(event.payload.packKeys) });
    });
  }

  async forgetSnapshot(event: EventEnvelope<SnapshotForgotten>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.update(SnapshotUsageEntity, { snapshotId: event.payload.snapshotId }, { forgotten: true });
    });
  }

  /** One tenant's usage: the packs its jobs wrote and its live snapshots. */
  async usage(tenant: string) {
    const packs = this.dataSource.getRepository(StoredPackEntity);
    const [total] = await packs.createQueryBuilder('p').where('p.tenant = :tenant', { tenant })
      .select('count(*)', 'packs').addSelect('coalesce(sum(p.size), 0)', 'bytesStored').addSelect('coalesce(sum(p.raw_bytes), 0)', 'rawBytes').getRawMany();
    const perPolicy = await packs.createQueryBuilder('p').where('p.tenant = :tenant', { tenant })
      .select('p.policy_id', 'policyId').addSelect('count(*)', 'packs').addSelect('sum(p.size)', 'bytesStored')
      .groupBy('p.policy_id').getRawMany();
    const snapshots = await this.dataSource.getRepository(SnapshotUsageEntity).count({ where: { tenant, forgotten: false } });
    return {
      repository: { packs: Number(total.packs), bytesStored: Number(total.bytesStored), rawBytes: Number(total.rawBytes), snapshots },
      policies: perPolicy.map((r) => ({ policyId: r.policyId, packs: Number(r.packs), bytesStored: Number(r.bytesStored) })),
    };
  }
}
