import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One object to put at a site (a pack a prune rewrote) or delete there (a pack a prune deleted),
 * queued from its event and retried with backoff until done, like a snapshot's copy.
 */
@Entity({ name: 'replication_object_ops' })
export class ReplicationObjectOpEntity {
  @PrimaryColumn({ type: 'text' }) key: string;
  @PrimaryColumn({ type: 'text' }) site: string;
  @Column({ type: 'text' }) op: 'put' | 'delete';
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' }) nextAttemptAt: Date;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
}
