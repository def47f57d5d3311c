import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `verify`: a test restore. */
export type JobKind = 'backup' | 'restore' | 'check' | 'prune' | 'recover' | 'verify';
export type JobStatus = 'requested' | 'running' | 'completed' | 'failed' | 'cancelled';

/** The read model of every job, folded from its lifecycle events. */
@Entity({ name: 'jobs' })
@Index('jobs_requested_at_idx', ['requestedAt'])
export class JobViewEntity {
  @PrimaryColumn({ name: 'job_id', type: 'uuid' })
  jobId: string;

  @Column({ type: 'text' })
  kind: JobKind;

  @Column({ type: 'text' })
  status: JobStatus;

  /** The tenant it belongs to. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  source: Record<string, unknown> | null;

  @Column({ name: 'snapshot_id', type: 'text', nullable: true })
  snapshotId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  progress: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  stats: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** 1 for a first run; a retry of a failed scheduled backup counts up (from backup.requested). */
  @Column({ type: 'integer', default: 1 })
  attempt: number;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** occurredAt of the last event folded in: an older event arriving late never rolls status back. */
  @Column({ name: 'last_event_at', type: 'timestamptz' })
  lastEventAt: Date;
}
