import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every backup job the scheduler has requested. The unique (policy, due time) pair is what makes
 * "exactly one job per due time" hold however many scheduler instances tick at once.
 */
@Entity({ name: 'jobs' })
@Index('jobs_policy_due_unique', ['policyId', 'dueAt'], { unique: true })
export class JobEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ type: 'text' })
  trigger: 'schedule' | 'manual';

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'jsonb' })
  source: Record<string, unknown>;

  @Column({ type: 'text', default: 'anonymous' })
  actor: string;

  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' })
  requestedAt: Date;
}
