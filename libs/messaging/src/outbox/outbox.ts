import { createEvent, EventEnvelope, EventOptions, PayloadOf, Topic } from '@arca/contracts';
import { currentTraceHeaders } from '@arca/telemetry';
import { EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { keyOf } from '../message-key';
import { OutboxEntity } from './outbox.entity';

/**
 * Writes events into the outbox table inside the caller's transaction: the event exists exactly
 * when the change it announces was committed. The OutboxRelay publishes it afterwards.
 */
export class Outbox {
  private readonly listeners = new Set<() => void>();
  /** Transactions that enqueued something and have not ended yet. */
  private readonly awaitingCommit = new WeakSet<QueryRunner>();

  /** Builds the envelope around `payload` and enqueues it; returns the event as it will be published. */
  async enqueue<T extends Topic>(manager: EntityManager, topic: T, payload: PayloadOf<T>, options: EventOptions = {}): Promise<EventEnvelope<PayloadOf<T>>> {
    const event = createEvent(topic, payload, options);
    await this.enqueueEnvelope(manager, topic, event);
    return event;
  }

  /**
   * Enqueues an envelope built elsewhere. The trace context is captured now: the relay publishes
   * later, outside the request's span, and the consumer must still join this trace.
   */
  async enqueueEnvelope(manager: EntityManager, topic: Topic, envelope: EventEnvelope, options: { key?: string } = {}): Promise<void> {
    await manager.insert(OutboxEntity, {
      topic,
      key: options.key ?? keyOf(topic, envelope.payload as object) ?? null,
      envelope: envelope as never,
      headers: currentTraceHeaders(),
    });
    const runner = manager.queryRunner;
    // Inside a transaction the row is invisible to the relay until commit: wake it then (see commitSubscriber).
    if (runner?.isTransactionActive) this.awaitingCommit.add(runner);
    else this.notify();
  }

  /**
   * A TypeORM subscriber the relay registers on its DataSource: it wakes the relay the moment a
   * transaction that enqueued events commits, so events leave without waiting for the next poll.
   */
  readonly commitSubscriber: EntitySubscriberInterface = {
    afterTransactionCommit: (event: TransactionCommitEvent) => {
      // A released savepoint also "commits"; only the outermost commit makes the rows visible.
      if (!event.queryRunner.isTransactionActive && this.awaitingCommit.delete(event.queryRunner)) this.notify();
    },
    afterTransactionRollback: (event: TransactionRollbackEvent) => {
      if (!event.queryRunner.isTransactionActive) this.awaitingCommit.delete(event.queryRunner);
    },
  };

  /** Calls `listener` whenever enqueued events become visible; returns the unsubscribe function. */
  onCommitted(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
