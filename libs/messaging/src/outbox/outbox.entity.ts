import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An event written in the same transaction as the change it announces, waiting to be relayed to Kafka. */
@Entity({ name: 'outbox' })
@Index('outbox_pending_idx', ['id'], { where: 'published_at IS NULL' })
export class OutboxEntity {
  /** Relay order: events leave in the order they were committed (per service). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  topic: string;

  @Column({ type: 'text', nullable: true })
  key: string | null;

  @Column({ type: 'jsonb' })
  envelope: Record<string, unknown>;

  /** Trace context at enqueue time: the relay publishes later, outside the request's span. */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  headers: Record<string, string>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
