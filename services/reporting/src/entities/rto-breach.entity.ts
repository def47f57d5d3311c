import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One RTO breach episode of a policy, as the scheduler's RTO watch announced it: policy.rto_breached
 * (the test restore that measured over the target) until policy.rto_restored (one within it).
 */
@Entity({ name: 'rto_breaches' })
@Index('rto_breaches_policy_idx', ['policyId', 'breachedAt'])
export class RtoBreachEntity {
  /** The test restore (verify job) that measured the breach. */
  @PrimaryColumn({ name: 'job_id', type: 'uuid' })
  jobId: string;

  @Column({ name: 'policy_id', type: 'uuid' })
  policyId: string;

  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ name: 'snapshot_id', type: 'text' })
  snapshotId: string;

  @Column({ name: 'rto_minutes', type: 'integer' })
  rtoMinutes: number;

  @Column({ name: 'measured_ms', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  measuredMs: number;

  @Column({ name: 'breached_at', type: 'timestamptz' })
  breachedAt: Date;

  /** When a test restore within the target ended the breach (policy.rto_restored), and which. */
  @Column({ name: 'restored_at', type: 'timestamptz', nullable: true })
  restoredAt: Date | null;

  @Column({ name: 'restored_by_job_id', type: 'uuid', nullable: true })
  restoredByJobId: string | null;
}
