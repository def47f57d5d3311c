import { DataSource } from 'typeorm';
import { EventPublisher } from '../event-publisher';
import { Outbox } from './outbox';
import { OutboxEntity } from './outbox.entity';

const BATCH = 100;

/**
 * Moves committed outbox rows to Kafka. Rows are locked with FOR UPDATE SKIP LOCKED so several
 * instances of a service relay without publishing a row twice concurrently; a row is marked only
 * after Kafka acknowledged it, so a crash in between publishes it again (at-least-once, and
 * consumers are idempotent on eventId).
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = true;
  private unsubscribe?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly outbox: Outbox,
    private readonly options: { pollIntervalMs?: number; onError?: (error: unknown) => void } = {},
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Enqueue happens before commit: a short delay lets the transaction finish first.
    this.unsubscribe = this.outbox.onEnqueue(() => setTimeout(() => this.kick(), 20));
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), this.options.pollIntervalMs ?? 500);
    this.timer.unref();
  }

  /** Relays now (or right after the pass in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.relayPending()
      .catch((error) => this.options.onError?.(error))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.schedule();
        }
      });
  }

  /** Publishes every pending row; returns how many were relayed. */
  async relayPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const relayed = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.getRepository(OutboxEntity).createQueryBuilder('o')
          .where('o.published_at IS NULL').orderBy('o.id').limit(BATCH)
          .setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
        for (const row of rows) {
          await this.publisher.publishEnvelope(row.topic, row.envelope as never, row.headers, row.key ?? undefined);
        }
        if (rows.length > 0) {
          await manager.createQueryBuilder().update(OutboxEntity).set({ publishedAt: () => 'now()' }).whereInIds(rows.map((r) => r.id)).execute();
        }
        return rows.length;
      });
      total += relayed;
      if (relayed < BATCH) return total;
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
  }
}
