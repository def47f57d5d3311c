import { randomUUID } from 'node:crypto';
import type { EventOf } from './envelope';
import { eventVersionOf } from './event-schemas';
import type { PayloadOf, Topic } from './topics';

export interface EventOptions {
  jobId?: string;
  actor?: string;
  tenant?: string;
}

/** A new envelope around `payload`: fresh eventId, the topic's schema version, now. The payload is not validated here; consumers do. */
export function createEvent<T extends Topic>(topic: T, payload: PayloadOf<T>, options: EventOptions = {}): EventOf<T> {
  return {
    eventId: randomUUID(),
    type: topic,
    version: eventVersionOf(topic),
    occurredAt: new Date().toISOString(),
    ...(options.jobId ? { jobId: options.jobId } : {}),
    ...(options.actor ? { actor: options.actor } : {}),
    ...(options.tenant ? { tenant: options.tenant } : {}),
    payload,
  } as EventOf<T>;
}
