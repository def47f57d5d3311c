import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `verify`: a test restore (restore.verification_requested). */
export type IngestJobKind = 'backup' | 'restore' | 'check' | 'prune' | 'recover' | 'verify';
export type IngestJobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/**
 * The durable work queue of ingest workers. A consumed request becomes a row here and the Kafka
 * message is acknowledged at once; workers claim rows with FOR UPDATE SKIP LOCKED and a lease, so
 * a long backup never stalls the consumer group, and a worker that dies mid-job hands the job to
 * another when its lease runs out.
 */
@Entity({ name: 'jobs' })
@Index('jobs_claim_idx', ['status', 'leaseUntil'])
export class IngestJobEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** The tenant whose job (snapshot) it is. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ type: 'text' })
  kind: IngestJobKind;

  @Column({ type: 'jsonb' })
  request: Record<string, unknown>;

  /** The trace context of the request, so the job's work continues the trace that asked for it. */
  @Column({ name: 'trace_headers', type: 'jsonb', default: () => `'{}'` })
  traceHeaders: Record<string, string>;

  @Column({ type: 'text', default: 'queued' })
  status: IngestJobStatus;

  /** Claims so far; the current one is the lease's fencing token (JobLease). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** The worker (host:pid) that claimed the job last. */
  @Column({ type: 'text', nullable: true })
  worker: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Why the job is to be cancelled (backup.cancel_requested); the worker holding it stops it. */
  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
