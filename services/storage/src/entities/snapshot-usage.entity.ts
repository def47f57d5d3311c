import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigint = { to: (v: number) => v, from: (v: string) => Number(v) };

/** What each snapshot read and added, per policy: the per-policy side of usage accounting. */
@Entity({ name: 'snapshots' })
export class SnapshotUsageEntity {
  @PrimaryColumn({ name: 'snapshot_id', type: 'text' }) snapshotId: string;
  @Column({ name: 'policy_id', type: 'uuid', nullable: true }) policyId: string | null;
  @Column({ name: 'source_kind', type: 'text' }) sourceKind: string;
  @Column({ name: 'source_id', type: 'text' }) sourceId: string;
  @Column({ type: 'timestamptz' }) time: Date;
  @Column({ name: 'bytes_read', type: 'bigint', transformer: bigint }) bytesRead: number;
  @Column({ name: 'bytes_stored', type: 'bigint', transformer: bigint }) bytesStored: number;
  @Column({ name: 'pack_count', type: 'integer' }) packCount: number;
  @Column({ type: 'boolean', default: false }) forgotten: boolean;
  @Column({ type: 'text', default: 'default' }) tenant: string;
}
