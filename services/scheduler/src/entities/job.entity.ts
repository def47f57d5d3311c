import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `verify`: a scheduled test restore (restore.verification_requested). */
export type SchedulerJobKind = 'backup' | 'prune' | 'verify';
/**
 * pending: a retry waiting for its time; requested: asked of ingest; then what ingest's events say.
 * (A prune job stays "requested": its outcome is followed by reporting, not here.)
 */
export type SchedulerJobStatus = 'pending' | 'requested' | 'running' | 'completed' | 'failed' | 'cancelled';
export const ACTIVE_JOB_STATUSES: SchedulerJobStatus[] = ['pending', 'requested', 'running'];

/**
 * Every job the scheduler has requested. The unique (policy, kind, due time) triple is what makes
 * "exactly one job per due time" hold however many scheduler instances tick at once; a retry has
 * no due time of its own and is unique by (first job, attempt) instead.
 */
@Entity({ name: 'jobs' })
@Index('jobs_policy_kind_due_unique', ['policyId', 'kind', 'dueAt'], { unique: true })
@Index('jobs_retry_attempt_unique', ['retryOf', 'attempt'], { unique: true })
export class JobEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** The tenant whose policy (or manual run) it is. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ type: 'text', default: 'backup' })
  kind: SchedulerJobKind;

  @Column({ type: 'text' })
  trigger: 'schedule' | 'manual';

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** What a backup reads (null for a prune). */
  @Column({ type: 'jsonb', nullable: true })
  source: Record<string, unknown> | null;

  @Column({ type: 'text', default: 'anonymous' })
  actor: string;

  @Column({ type: 'text', default: 'requested' })
  status: SchedulerJobStatus;

  /** 1 for a first run; each retry of a failed scheduled backup counts up. */
  @Column({ type: 'integer', default: 1 })
  attempt: number;

  /** The first run this job retries (null for a first run). */
  @Column({ name: 'retry_of', type: 'uuid', nullable: true })
  retryOf: string | null;

  /** When a pending retry is to be requested. */
  @Column({ name: 'run_at', type: 'timestamptz', nullable: true })
  runAt: Date | null;

  /** When the backup window the job was requested in closes (null without a window). */
  @Column({ name: 'window_closes_at', type: 'timestamptz', nullable: true })
  windowClosesAt: Date | null;

  /** The policy's windowEnd when the job was requested. */
  @Column({ name: 'window_end', type: 'text', nullable: true })
  windowEnd: 'finish' | 'cancel' | null;

  @Column({ name: 'cancel_requested_at', type: 'timestamptz', nullable: true })
  cancelRequestedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' })
  requestedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
