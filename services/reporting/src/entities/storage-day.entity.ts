import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The site backups write to; replica sites are named by replication (REPLICA_SITE_NAME). */
export const PRIMARY_SITE = 'primary';

const bigint = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * Storage use of one day (UTC) per tenant, policy and site, summed from the events reporting
 * consumes: backups (bytes read, new and stored at the primary site), prunes (bytes freed,
 * repository-wide: no policy) and replication copies (bytes copied to a replica site).
 * `policy_id` is '' for what belongs to no policy (prunes, backups run without one).
 */
@Entity({ name: 'storage_daily' })
export class StorageDayEntity {
  @PrimaryColumn({ type: 'date' })
  day: string;

  @PrimaryColumn({ type: 'text' })
  tenant: string;

  @PrimaryColumn({ name: 'policy_id', type: 'text' })
  policyId: string;

  @PrimaryColumn({ type: 'text' })
  site: string;

  /** Backups completed (primary) or snapshots copied (a replica site) that day. */
  @Column({ type: 'integer', default: 0 })
  snapshots: number;

  @Column({ name: 'bytes_read', type: 'bigint', default: 0, transformer: bigint })
  bytesRead: number;

  @Column({ name: 'bytes_new', type: 'bigint', default: 0, transformer: bigint })
  bytesNew: number;

  /** Bytes written to the site's object store: backups' stored bytes, or replication's copied bytes. */
  @Column({ name: 'bytes_added', type: 'bigint', default: 0, transformer: bigint })
  bytesAdded: number;

  @Column({ name: 'bytes_freed', type: 'bigint', default: 0, transformer: bigint })
  bytesFreed: number;
}
