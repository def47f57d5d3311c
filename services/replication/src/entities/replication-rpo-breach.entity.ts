import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A policy's RPO breach at a replica site, announced with policy.rpo_breached and not yet restored. */
@Entity({ name: 'replication_rpo_breaches' })
export class ReplicationRpoBreachEntity {
  @PrimaryColumn({ name: 'policy_id', type: 'uuid' }) policyId: string;
  @PrimaryColumn({ type: 'text' }) site: string;
  @Column({ name: 'breached_at', type: 'timestamptz' }) breachedAt: Date;
}
