import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What reporting needs of each policy: its name and RPO target, and its last successful backup. */
@Entity({ name: 'policies' })
export class PolicyViewEntity {
  @PrimaryColumn({ name: 'policy_id', type: 'uuid' })
  policyId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'rpo_minutes', type: 'integer' })
  rpoMinutes: number;

  @Column({ type: 'boolean', default: false })
  deleted: boolean;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  /** When the current RPO breach began (its webhook sent), or null while the policy is compliant. */
  @Column({ name: 'rpo_breached_at', type: 'timestamptz', nullable: true })
  rpoBreachedAt?: Date | null;

  /** When reporting first heard of the policy: a policy never backed up breaches its RPO that long after. */
  @Column({ name: 'first_seen_at', type: 'timestamptz', default: () => 'now()' })
  firstSeenAt?: Date;
}
