import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The parts of a policy's spec a compliance report names. */
export interface PolicyPromise {
  schedule: unknown;
  backupWindow?: unknown;
  retention: unknown;
  objectLock?: unknown;
  replicate?: boolean;
  replicaSites?: string[];
  verifyRestore?: { cron: string; sample?: number };
  rtoMinutes?: number;
}

/** What reporting needs of each policy: its name and RPO target, and its last successful backup. */
@Entity({ name: 'policies' })
export class PolicyViewEntity {
  @PrimaryColumn({ name: 'policy_id', type: 'uuid' })
  policyId: string;

  @Column({ type: 'text' })
  name: string;

  /** The tenant it belongs to. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ name: 'rpo_minutes', type: 'integer' })
  rpoMinutes: number;

  @Column({ type: 'boolean', default: false })
  deleted: boolean;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  /** When reporting first learnt of the policy: the RPO of a policy never backed up runs from here, as in the scheduler's watch. */
  @Column({ name: 'known_since', type: 'timestamptz', nullable: true })
  knownSince: Date | null;

  /** What the policy promises, as its latest version says: schedule, window, retention, object lock, replication (never its source's secrets). */
  @Column({ type: 'jsonb', nullable: true })
  promised: PolicyPromise | null;

  /** Set by policy.rpo_breached, cleared by policy.rpo_restored. */
  @Column({ name: 'rpo_breached_at', type: 'timestamptz', nullable: true })
  rpoBreachedAt: Date | null;
}
