import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The scheduler's copy of each policy's schedule, kept current from policy.changed events. */
@Entity({ name: 'schedules' })
export class ScheduleEntity {
  @PrimaryColumn({ name: 'policy_id', type: 'uuid' })
  policyId: string;

  /** The tenant whose policy (or manual run) it is. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ name: 'policy_version', type: 'integer' })
  policyVersion: number;

  @Column({ type: 'text' })
  cron: string;

  @Column({ type: 'text' })
  timezone: string;

  @Column({ name: 'backup_window', type: 'jsonb', nullable: true })
  backupWindow: { start: string; end: string } | null;

  /** The policy's source, copied into every backup.requested so ingest needs no policy lookup. */
  @Column({ type: 'jsonb' })
  source: Record<string, unknown>;

  @Column({ name: 'bandwidth_limit', type: 'integer', nullable: true })
  bandwidthLimitBytesPerSec: number | null;

  /** The policy's object lock with its period resolved to days (see object-lock.ts); null without one. */
  @Column({ name: 'object_lock', type: 'jsonb', nullable: true })
  objectLock: { mode: 'compliance' | 'governance'; retainUntilDays: number } | null;

  @Column({ name: 'next_due_at', type: 'timestamptz' })
  nextDueAt: Date;

  @Column({ name: 'catch_up', type: 'text', default: 'once' })
  catchUp: 'once' | 'skip';

  @Column({ name: 'window_end', type: 'text', default: 'finish' })
  windowEnd: 'finish' | 'cancel';

  @Column({ type: 'jsonb', nullable: true })
  retry: { maxAttempts: number; backoffSeconds?: number } | null;

  @Column({ name: 'rpo_minutes', type: 'integer', nullable: true })
  rpoMinutes: number | null;

  /** When this scheduler first learnt of the policy: the RPO of a policy never backed up runs from here. */
  @Column({ name: 'known_since', type: 'timestamptz', nullable: true })
  knownSince: Date | null;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  /** When the RPO is breached unless a backup succeeds first (rpoDeadline). */
  @Column({ name: 'rpo_deadline', type: 'timestamptz', nullable: true })
  rpoDeadline: Date | null;

  /** Set when policy.rpo_breached was published, cleared with policy.rpo_restored: each is announced once. */
  @Column({ name: 'rpo_breached_at', type: 'timestamptz', nullable: true })
  rpoBreachedAt: Date | null;

  @Column({ name: 'prune_cron', type: 'text', nullable: true })
  pruneCron: string | null;

  @Column({ name: 'prune_max_unused', type: 'integer', nullable: true })
  pruneMaxUnusedPercent: number | null;

  @Column({ name: 'prune_next_due_at', type: 'timestamptz', nullable: true })
  pruneNextDueAt: Date | null;

  /** The policy's test restores (verifyRestore): when, how many files, and the next due time. */
  @Column({ name: 'verify_cron', type: 'text', nullable: true })
  verifyCron: string | null;

  @Column({ name: 'verify_sample', type: 'integer', nullable: true })
  verifySample: number | null;

  @Column({ name: 'verify_next_due_at', type: 'timestamptz', nullable: true })
  verifyNextDueAt: Date | null;

  /** The policy's RTO target (rtoMinutes); null: none, and no RTO watch. */
  @Column({ name: 'rto_minutes', type: 'integer', nullable: true })
  rtoMinutes: number | null;

  /** Set when policy.rto_breached was published, cleared with policy.rto_restored: each is announced once. */
  @Column({ name: 'rto_breached_at', type: 'timestamptz', nullable: true })
  rtoBreachedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
