import { EventEnvelope, validateEvent } from '@arca/contracts';
import { arcaCounter, extractTraceContext, observeGauge, runInSpan, SpanKind } from '@arca/telemetry';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Admin, Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { EventPublisher } from '../event-publisher';
import { TopicCreator } from '../topic-creator';
import { ArcaEventContext } from './arca-event-context';
import { describeHandlerError } from './arca-rpc-error.filter';
import { consumerLag } from './consumer-lag';
import { deadLetterOf } from './dead-letter';

export interface ArcaKafkaServerOptions {
  kafka: Kafka;
  /** The service's consumer group: instances of one service share the partitions of each topic. */
  groupId: string;
  /** Sends dead letters; shares the service's producer. */
  publisher: EventPublisher;
  /** Attempts of a throwing handler before its message is dead-lettered. Default 3. */
  maxAttempts?: number;
  /** Wait before the second attempt; doubles for each further one. Default 200 ms. */
  retryDelayMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

type Status = 'connecting' | 'connected' | 'disconnected';

/**
 * A NestJS transport over kafkajs: services declare `@EventPattern(TOPICS.backupRequested)`
 * handlers and this server consumes those topics in the service's consumer group. Every message
 * is validated against its topic's contract; one that fails validation, or whose handler keeps
 * throwing, goes to `<topic>.dlq` with its original bytes and headers plus the reason, and the
 * consumer commits past it. Each handler runs in a span continuing the producer's trace.
 * Register ArcaRpcErrorFilter globally so handler errors reach the logs and dead letters as thrown.
 */
// Nest's own Server type parameter: the event handlers' map, as Nest declares it.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export class ArcaKafkaServer extends Server<Record<string, Function>, Status> implements CustomTransportStrategy {
  private consumer?: Consumer;
  private admin?: Admin;
  private stopObservingLag?: () => void;
  private readonly topics: TopicCreator;

  constructor(private readonly options: ArcaKafkaServerOptions) {
    super();
    this.topics = new TopicCreator(options.kafka);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const topics = [...this.messageHandlers.keys()];
      if (topics.length > 0) {
        this._status$.next('connecting');
        // Subscribing to a topic that does not exist yet fails on clusters without auto-creation.
        await this.topics.ensure(topics);
        this.consumer = this.options.kafka.consumer({
          groupId: this.options.groupId,
          sessionTimeout: this.options.sessionTimeoutMs ?? 15_000,
          heartbeatInterval: this.options.heartbeatIntervalMs ?? 1_000,
          maxWaitTimeInMs: 500,
        });
        await this.consumer.connect();
        await this.consumer.subscribe({ topics, fromBeginning: true });
        await this.consumer.run({ eachMessage: (payload) => this.handleMessage(payload) });
        this.stopObservingLag = this.observeLag(topics);
        this._status$.next('connected');
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /**
   * Ends with the message handled or dead-lettered, so the partition keeps moving. It throws only
   * when the dead letter itself cannot be written: kafkajs then retries the message instead of
   * committing past it, so nothing is dropped silently.
   */
  private async handleMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const { groupId } = this.options;
    const deadLetter = async (reason: string) => {
      this.logger.warn(`dead-lettering ${topic}[${partition}]@${message.offset}: ${reason}`);
      const letter = deadLetterOf({ topic, partition, groupId }, message, reason);
      await this.options.publisher.send(letter.topic, [letter.message]);
      arcaCounter('deadLetters').add(1, { topic, group: groupId });
    };

    const result = validateEvent(topic, message.value);
    if (!result.ok) return deadLetter(result.reason);
    const handler = this.getHandlerByPattern(topic);
    if (!handler) return deadLetter(`no handler for topic "${topic}" in consumer group ${groupId}`);

    const context = new ArcaEventContext(topic, partition, message.offset, groupId, message.headers ?? {});
    const maxAttempts = this.options.maxAttempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        await runInSpan(`${topic} process`, {
          parent: extractTraceContext(message.headers),
          kind: SpanKind.CONSUMER,
          jobId: result.event.jobId,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': topic,
            'messaging.consumer.group.name': groupId,
            'messaging.kafka.offset': Number(message.offset),
            'arca.event_id': result.event.eventId,
            'arca.attempt': attempt,
          },
        }, async () => {
          const output = await handler(result.event as EventEnvelope, context);
          if (isObservable(output)) await lastValueFrom(output, { defaultValue: undefined });
        });
        return;
      } catch (error) {
        lastError = error;
        this.logger.warn(`${topic} event ${result.event.eventId}: attempt ${attempt}/${maxAttempts} failed: ${describeHandlerError(error)}`);
        await heartbeat().catch(() => undefined); // keep the group from thinking we died while we back off
        if (attempt < maxAttempts) await new Promise((r) => setTimeout(r, (this.options.retryDelayMs ?? 200) * 2 ** (attempt - 1)));
      }
    }
    await deadLetter(`handler failed after ${maxAttempts} attempts: ${describeHandlerError(lastError)}`);
  }

  /**
   * Consumer lag on /metrics (ARCA_METRICS.consumerLag): per topic, the messages past the group's
   * committed offsets, read from the brokers at each scrape (so a stuck consumer's lag grows).
   */
  private observeLag(topics: string[]): () => void {
    const { groupId } = this.options;
    return observeGauge('consumerLag', async (observe) => {
      if (!this.admin) {
        const admin = this.options.kafka.admin({ retry: { retries: 0 } }); // a scrape answers now or leaves the gauge out
        await admin.connect();
        this.admin = admin;
      }
      const admin = this.admin;
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const { topic, partitions } of committed) {
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        observe(consumerLag(ends, partitions.map((p) => ({ partition: p.partition, offset: Number(p.offset) }))), { topic, group: groupId });
      }
    });
  }

  async close(): Promise<void> {
    this.stopObservingLag?.();
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
    await this.consumer?.disconnect();
    this.consumer = undefined;
    await this.topics.disconnect();
    this._status$.next('disconnected');
  }

  /** Nest's hook for transport events; kafkajs reports through its own consumer.on(), reachable via unwrap(). */
  on(): never {
    throw new Error('ArcaKafkaServer does not emit transport events; use unwrap<Consumer>().on(...) for kafkajs consumer events');
  }

  /** The kafkajs consumer (undefined before listen, or when the service has no handlers). */
  unwrap<T>(): T {
    return this.consumer as T;
  }
}
