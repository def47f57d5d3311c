import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PolicySpec } from '@arca/contracts';

/** Every version a policy ever had, and who made it: the history an auditor asks for. */
@Entity({ name: 'policy_versions' })
export class PolicyVersionEntity {
  @PrimaryColumn({ name: 'policy_id', type: 'uuid' })
  policyId: string;

  @PrimaryColumn({ type: 'integer' })
  version: number;

  /** null for the deletion record. */
  @Column({ type: 'jsonb', nullable: true })
  spec: PolicySpec | null;

  @Column({ type: 'text' })
  actor: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
