import { createEvent, EventEnvelope, PayloadOf, Topic } from '@arca/contracts';
import { currentTraceHeaders } from '@arca/telemetry';
import { EntityManager } from 'typeorm';
import { keyOf } from '../event-publisher';
import { OutboxEntity } from './outbox.entity';

/**
 * Writes events into the outbox table inside the caller's transaction: the event exists exactly
 * when the change it announces was committed. The relay publishes it afterwards.
 */
export class Outbox {
  private readonly listeners = new Set<() => void>();

  async enqueue<T extends Topic>(
    manager: EntityManager,
    topic: T,
    payload: PayloadOf<T>,
    options: { jobId?: string; actor?: string } = {},
  ): Promise<EventEnvelope<PayloadOf<T>>> {
    const event = createEvent(topic, payload, options);
    await manager.insert(OutboxEntity, {
      topic,
      key: keyOf(topic, payload as object) ?? null,
      envelope: event as never,
      headers: currentTraceHeaders(),
    });
    // Wake the relay; it finds the row once the caller's transaction has committed.
    for (const listener of this.listeners) listener();
    return event;
  }

  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
