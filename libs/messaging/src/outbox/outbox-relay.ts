import { observeGauge, sharedPerScrape } from '@arca/telemetry';
import { DataSource } from 'typeorm';
import { EventPublisher } from '../event-publisher';
import { Outbox } from './outbox';
import { OutboxEntity } from './outbox.entity';

export interface OutboxRelayOptions {
  /** How often to look for rows nobody woke the relay for (other instances, a restart). Default 500 ms. */
  pollIntervalMs?: number;
  /** Rows per transaction and Kafka request. Default 100. */
  batchSize?: number;
  /** A failed pass (Kafka or Postgres away) is retried at the next poll; this hears about it. */
  onError?: (error: unknown) => void;
}

/**
 * Moves committed outbox rows to Kafka. Rows are locked with FOR UPDATE SKIP LOCKED, so several
 * instances of a service relay side by side without publishing a row twice concurrently; a row is
 * marked published only after Kafka acknowledged it, so a crash in between publishes it again
 * (at-least-once: consumers are idempotent on eventId, see handleOnce).
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private unsubscribe?: () => void;
  private stopObserving?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly outbox: Outbox,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  /** Relays what is pending now, then on every commit that enqueued events and at every poll. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (!this.dataSource.subscribers.includes(this.outbox.commitSubscriber)) this.dataSource.subscribers.push(this.outbox.commitSubscriber);
    this.unsubscribe = this.outbox.onCommitted(() => this.kick());
    this.stopObserving = this.observeBacklog();
    this.kick();
  }

  /** The backlog on /metrics: how many events wait, and for how long the oldest has (ARCA_METRICS.outboxPending, outboxOldest). */
  private observeBacklog(): () => void {
    const backlog = sharedPerScrape(() => this.backlog()); // one query answers both gauges
    const stops = [
      observeGauge('outboxPending', async (observe) => observe((await backlog()).count)),
      observeGauge('outboxOldest', async (observe) => observe((await backlog()).oldestSeconds)),
    ];
    return () => stops.forEach((stop) => stop());
  }

  /** Events not yet relayed, and the age of the oldest, in seconds. */
  async backlog(): Promise<{ count: number; oldestSeconds: number }> {
    const [row] = await this.dataSource.getRepository(OutboxEntity).createQueryBuilder('o')
      .select('count(*)', 'count').addSelect('coalesce(extract(epoch FROM now() - min(o.created_at)), 0)', 'oldest')
      .where('o.published_at IS NULL').getRawMany<{ count: string; oldest: string }>();
    return { count: Number(row.count), oldestSeconds: Math.max(0, Number(row.oldest)) };
  }

  /** Relays now, or right after the pass in progress (a commit may have landed during it). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.relayPending()
      .then(() => undefined, (error) => this.options.onError?.(error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else if (!this.stopped) {
          this.timer = setTimeout(() => this.kick(), this.options.pollIntervalMs ?? 500);
          this.timer.unref();
        }
      });
  }

  /** Publishes every pending row, oldest first; returns how many were relayed. */
  async relayPending(): Promise<number> {
    const batchSize = this.options.batchSize ?? 100;
    let total = 0;
    for (;;) {
      const relayed = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.getRepository(OutboxEntity).createQueryBuilder('o')
          .where('o.published_at IS NULL').orderBy('o.id').limit(batchSize)
          .setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
        if (rows.length === 0) return 0;
        await this.publisher.publishAll(rows.map((row) => ({ topic: row.topic, envelope: row.envelope as never, key: row.key ?? undefined, headers: row.headers })));
        await manager.createQueryBuilder().update(OutboxEntity).set({ publishedAt: () => 'now()' }).whereInIds(rows.map((r) => r.id)).execute();
        return rows.length;
      });
      total += relayed;
      if (relayed < batchSize) return total;
    }
  }

  /** Stops polling and waits for the pass in progress, so a shutdown does not cut it mid-way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.stopObserving?.();
    const index = this.dataSource.subscribers.indexOf(this.outbox.commitSubscriber);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
    await this.running;
  }
}
