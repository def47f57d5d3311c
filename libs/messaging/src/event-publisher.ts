import { createEvent, EventEnvelope, PayloadOf, Topic, TOPIC_CATALOGUE } from '@arca/contracts';
import { injectTraceHeaders } from '@arca/telemetry';
import { IHeaders, Kafka, Message, Partitioners, Producer } from 'kafkajs';

/** The message key of an event: the payload field the catalogue names, so one entity's events stay ordered. */
export function keyOf(topic: Topic, payload: object): string | undefined {
  const value = (payload as Record<string, unknown>)[TOPIC_CATALOGUE[topic].key];
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * Publishes events to Kafka, carrying the active trace context in message headers. For events
 * that accompany a database change, use the Outbox instead, so a crash between commit and publish
 * cannot lose them.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /** Builds the envelope and publishes it; returns the event as sent. */
  async publish<T extends Topic>(topic: T, payload: PayloadOf<T>, options: { jobId?: string; actor?: string } = {}): Promise<EventEnvelope<PayloadOf<T>>> {
    const event = createEvent(topic, payload, options);
    await this.publishEnvelope(topic, event, injectTraceHeaders({} as Record<string, string>));
    return event;
  }

  /** Publishes an envelope built earlier (the outbox relay), with the trace headers captured then. */
  async publishEnvelope(topic: string, envelope: EventEnvelope, headers: Record<string, string>, key?: string): Promise<void> {
    await this.send(topic, [{ key: key ?? keyOf(topic as Topic, envelope.payload as object), value: JSON.stringify(envelope), headers }]);
  }

  /** Sends raw messages (the dead-letter path, which must keep the original bytes). */
  async send(topic: string, messages: Message[]): Promise<void> {
    await this.connect();
    await this.producer.send({ topic, messages, acks: -1 });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}

export type { IHeaders };
