import { Column, Entity, PrimaryColumn } from 'typeorm';

export type CopyStatus = 'pending' | 'completed' | 'skipped' | 'abandoned';

const bigint = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/**
 * One snapshot's copy to one site, queued when snapshot.stored arrives and worked by the copy
 * worker until it reaches the site: the durable record that survives a restart of the service.
 */
@Entity({ name: 'replication_copies' })
export class ReplicationCopyEntity {
  @PrimaryColumn({ name: 'snapshot_id', type: 'text' }) snapshotId: string;
  @PrimaryColumn({ type: 'text' }) site: string;
  @Column({ type: 'text' }) tenant: string;
  @Column({ name: 'policy_id', type: 'uuid', nullable: true }) policyId: string | null;
  /** The backup job that made the snapshot, and the trace context of its snapshot.stored: each attempt is a span of that trace. */
  @Column({ name: 'job_id', type: 'uuid', nullable: true }) jobId: string | null;
  @Column({ name: 'trace_headers', type: 'jsonb', default: {} }) traceHeaders: Record<string, string>;
  @Column({ name: 'manifest_key', type: 'text' }) manifestKey: string;
  @Column({ name: 'pack_list_key', type: 'text' }) packListKey: string;
  /** The snapshot's time: the point it recovers to. */
  @Column({ name: 'snapshot_time', type: 'timestamptz' }) snapshotTime: Date;
  @Column({ name: 'queued_at', type: 'timestamptz', default: () => 'now()' }) queuedAt: Date;
  @Column({ type: 'text', default: 'pending' }) status: CopyStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' }) nextAttemptAt: Date;
  /** Whether a replication.failed named it or its site's episode covered it (see copy-rules). */
  @Column({ type: 'boolean', default: false }) announced: boolean;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  /** Bytes the site still lacks: the backup's stored bytes until an attempt has listed the missing objects. */
  @Column({ name: 'bytes_pending', type: 'bigint', default: 0, transformer: bigint }) bytesPending: number;
  @Column({ name: 'bytes_copied', type: 'bigint', default: 0, transformer: bigint }) bytesCopied: number;
  @Column({ name: 'objects_copied', type: 'integer', default: 0 }) objectsCopied: number;
  /** The worker holding it, and until when (a worker restarted on the same host takes its copies back at once). */
  @Column({ name: 'claimed_by', type: 'text', nullable: true }) claimedBy: string | null;
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true }) claimedUntil: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
