import { createEvent, EventEnvelope, EventOptions, PayloadOf, Topic } from '@arca/contracts';
import { currentTraceHeaders } from '@arca/telemetry';
import { Kafka, Message, Partitioners, Producer } from 'kafkajs';
import { cloudEventHeaders } from './cloud-events';
import { keyOf } from './message-key';
import { TopicCreator } from './topic-creator';

/** An envelope ready to go: the relay hands these over with the headers captured at enqueue time. */
export interface OutgoingEvent {
  topic: string;
  envelope: EventEnvelope;
  /** Defaults to the catalogue's key field of the payload. */
  key?: string;
  /** Defaults to the active trace context. */
  headers?: Record<string, string>;
}

/** The message header naming the service that published an event (reporting's job timeline shows it). */
export const SERVICE_HEADER = 'arca-service';

/**
 * Publishes events to Kafka, carrying the W3C trace context, the publishing service and the
 * CloudEvents 1.0 attributes (binary content mode, see cloudEventHeaders) in message headers, and creating topics on first use. For events that accompany a database change use the
 * Outbox instead, so a crash between commit and publish cannot lose them.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private readonly topics: TopicCreator;
  private connected?: Promise<void>;

  /** `service`: this service's name, sent in the SERVICE_HEADER of every event. */
  constructor(kafka: Kafka, private readonly service?: string) {
    this.producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
    this.topics = new TopicCreator(kafka);
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /** Builds the envelope around `payload` and publishes it; returns the event as sent. */
  async publish<T extends Topic>(topic: T, payload: PayloadOf<T>, options: EventOptions = {}): Promise<EventEnvelope<PayloadOf<T>>> {
    const event = createEvent(topic, payload, options);
    await this.publishEnvelope(topic, event);
    return event;
  }

  /** Publishes an envelope built elsewhere (forwarded, or replayed). */
  async publishEnvelope(topic: string, envelope: EventEnvelope, options: { key?: string; headers?: Record<string, string> } = {}): Promise<void> {
    await this.publishAll([{ topic, envelope, ...options }]);
  }

  /** Publishes many envelopes in one request per broker; per-partition order is the array's order. */
  async publishAll(events: OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      const messages = byTopic.get(event.topic) ?? [];
      const key = event.key ?? keyOf(event.topic as Topic, event.envelope.payload as object);
      messages.push({
        key,
        value: JSON.stringify(event.envelope),
        headers: {
          ...(event.headers ?? currentTraceHeaders()),
          ...cloudEventHeaders(event.envelope, { service: this.service, key }),
          ...(this.service ? { [SERVICE_HEADER]: this.service } : {}),
        },
      });
      byTopic.set(event.topic, messages);
    }
    await this.connect();
    await this.topics.ensure([...byTopic.keys()]);
    await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1 });
  }

  /** Sends raw messages as they are (the dead-letter path, which must keep the original bytes and headers). */
  async send(topic: string, messages: Message[]): Promise<void> {
    await this.connect();
    await this.topics.ensure([topic]);
    await this.producer.send({ topic, messages, acks: -1 });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
    this.connected = undefined;
    await this.topics.disconnect();
  }
}
