import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Who did what, when: one row per audit.recorded event (its eventId is the key). */
@Entity({ name: 'audit_log' })
@Index('audit_log_time_idx', ['time'])
export class AuditEntryEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

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
}
