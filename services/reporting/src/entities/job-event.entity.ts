import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One lifecycle event of a job, kept for its timeline (GET /jobs/:id): who published it, when, in which trace. */
@Entity({ name: 'job_events' })
@Index('job_events_job_idx', ['jobId', 'occurredAt'])
export class JobEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'job_id', type: 'uuid' })
  jobId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text' })
  service: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'trace_id', type: 'text', nullable: true })
  traceId: string | null;

  @Column({ name: 'span_id', type: 'text', nullable: true })
  spanId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  detail: Record<string, unknown> | null;
}
