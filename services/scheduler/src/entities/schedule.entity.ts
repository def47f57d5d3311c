import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The scheduler's copy of each policy's schedule, kept current from policy.changed events. */
@Entity({ name: 'schedules' })
export class ScheduleEntity {
  @PrimaryColumn({ name: 'policy_id', type: 'uuid' })
  policyId: string;

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

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
