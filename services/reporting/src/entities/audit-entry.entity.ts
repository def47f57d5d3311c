import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Turns Postgres' bigint (a string in node-postgres) into a number: the chain stays far below 2^53. */
const bigintNumber = { to: (value: number) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

/**
 * Who did what, when: one row per audit.recorded event (its eventId is the key), appended to a
 * hash chain (seq, prevHash, hash; see audit-chain.ts). A trigger refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity({ name: 'audit_log' })
@Index('audit_log_time_idx', ['time'])
@Index('audit_log_tenant_seq_key', ['tenant', 'seq'], { unique: true })
export class AuditEntryEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  /** The entry's place in its tenant's chain, from 1 (unique with the tenant). */
  @Column({ type: 'bigint', transformer: bigintNumber })
  seq: number;

  /** The tenant it belongs to. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ type: 'timestamptz' })
  time: Date;

  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  target: string;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  details: Record<string, unknown>;

  /** The authenticated principal (type, id, name, roles); null for a failed login. */
  @Column({ type: 'jsonb', nullable: true })
  principal: Record<string, unknown> | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'trace_id', type: 'text', nullable: true })
  traceId: string | null;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash: string;

  @Column({ type: 'text' })
  hash: string;
}
