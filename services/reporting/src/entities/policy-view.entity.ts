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
}
