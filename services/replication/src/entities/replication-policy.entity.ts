import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What replication knows of each policy (from policy.changed): which sites its snapshots go to, and its RPO. */
@Entity({ name: 'replication_policies' })
export class ReplicationPolicyEntity {
  @PrimaryColumn({ name: 'policy_id', type: 'uuid' }) policyId: string;
  @Column({ type: 'text' }) tenant: string;
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'text' }) name: string;
  /** null: the policy does not say (its snapshots are copied). */
  @Column({ type: 'boolean', nullable: true }) replicate: boolean | null;
  /** null: every site. */
  @Column({ name: 'replica_sites', type: 'text', array: true, nullable: true }) replicaSites: string[] | null;
  @Column({ name: 'rpo_minutes', type: 'integer' }) rpoMinutes: number;
  /** A deleted policy's snapshots still exist and still follow its last version. */
  @Column({ type: 'boolean', default: false }) deleted: boolean;
}
