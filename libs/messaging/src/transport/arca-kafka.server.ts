import { DLQ_HEADERS, deadLetterTopic, EventEnvelope, validateEvent } from '@arca/contracts';
import { extractTraceContext, runInSpan, SpanKind } from '@arca/telemetry';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Consumer, EachMessagePayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { EventPublisher } from '../event-publisher';

export interface ArcaKafkaServerOptions {
  kafka: Kafka;
  groupId: string;
  /** Used for dead-lettering; shares the service's producer. */
  publisher: EventPublisher;
  /** Attempts of a throwing handler before its message is dead-lettered. */
  maxAttempts?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

/** What an @EventPattern handler receives besides the validated event. */
export class ArcaEventContext {
  constructor(readonly topic: string, readonly partition: number, readonly offset: string, readonly groupId: string, readonly headers: IHeaders) {}
}

/**
 * A NestJS transport strategy over kafkajs: services declare `@EventPattern('backup.requested')`
 * handlers, and this server consumes those topics in the service's consumer group. Every message
 * is validated against its topic's contract; one that fails validation, or whose handler keeps
 * throwing, goes to `<topic>.dlq` with its original bytes and headers plus the reason, and the
 * consumer moves on. Each handler runs in a span continuing the producer's trace.
 */
export class ArcaKafkaServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private readonly maxAttempts: number;

  constructor(private readonly options: ArcaKafkaServerOptions) {
    super();
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const topics = [...this.messageHandlers.keys()];
      if (topics.length > 0) {
        this.consumer = this.options.kafka.consumer({
          groupId: this.options.groupId,
          sessionTimeout: this.options.sessionTimeoutMs ?? 15_000,
          heartbeatInterval: this.options.heartbeatIntervalMs ?? 1_000,
          maxWaitTimeInMs: 500,
          allowAutoTopicCreation: true,
        });
        await this.consumer.connect();
        await this.consumer.subscribe({ topics, fromBeginning: true });
        await this.consumer.run({ eachMessage: (payload) => this.handleMessage(payload) });
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Never throws: a message ends handled or dead-lettered, so the partition keeps moving. */
  private async handleMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const result = await validateEvent(topic, message.value);
    if (!result.ok) return this.deadLetter(topic, partition, message, result.reason);
    const handler = this.getHandlerByPattern(topic);
    if (!handler) return this.deadLetter(topic, partition, message, `no handler for topic "${topic}" in group ${this.options.groupId}`);
    const context = new ArcaEventContext(topic, partition, message.offset, this.options.groupId, message.headers ?? {});
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        await runInSpan(`${topic} process`, {
          parent: extractTraceContext(message.headers as never),
          kind: SpanKind.CONSUMER,
          attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.kafka.consumer.group': this.options.groupId, 'arca.event_id': result.event.eventId },
        }, async () => {
          const output = await handler(result.event as EventEnvelope, context);
          if (isObservable(output)) await lastValueFrom(output, { defaultValue: undefined });
        });
        return;
      } catch (error) {
        lastError = error;
        this.logger.warn(`${topic} event ${result.event.eventId}: attempt ${attempt}/${this.maxAttempts} failed: ${(error as Error).message}`);
        await heartbeat().catch(() => undefined);
        if (attempt < this.maxAttempts) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      }
    }
    await this.deadLetter(topic, partition, message, `handler failed after ${this.maxAttempts} attempts: ${(lastError as Error)?.message ?? String(lastError)}`);
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    this.logger.warn(`dead-lettering ${topic}[${partition}]@${message.offset}: ${reason}`);
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.sourceTopic]: topic,
      [DLQ_HEADERS.partition]: String(partition),
      [DLQ_HEADERS.offset]: message.offset,
      [DLQ_HEADERS.consumerGroup]: this.options.groupId,
    };
    // If even the dead-letter write fails, throw: kafkajs then retries the message rather than
    // committing past it, so nothing is dropped silently.
    await this.options.publisher.send(deadLetterTopic(topic), [{ key: message.key, value: message.value, headers }]);
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  on(): never {
    throw new Error('ArcaKafkaServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
