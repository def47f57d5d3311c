import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last replication outcome per snapshot and site, for lag and completeness reports. */
@Entity({ name: 'replications' })
export class ReplicationViewEntity {
  @PrimaryColumn({ name: 'snapshot_id', type: 'text' })
  snapshotId: string;

  @PrimaryColumn({ type: 'text' })
  site: string;

  /** The tenant it belongs to. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ type: 'text' })
  status: 'completed' | 'failed';

  @Column({ name: 'lag_ms', type: 'integer', nullable: true })
  lagMs: number | null;

  @Column({ name: 'bytes_copied', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  bytesCopied: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'at', type: 'timestamptz' })
  at: Date;
}
