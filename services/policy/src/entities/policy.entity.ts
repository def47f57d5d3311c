import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PolicySpec } from '@arca/contracts';

/** The current version of each policy. Every change also appends a row to policy_versions. */
@Entity({ name: 'policies' })
export class PolicyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Unique within the tenant. */
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'jsonb' })
  spec: PolicySpec;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
