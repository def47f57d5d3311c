import { DynamicModule, Logger, Module } from '@nestjs/common';
import { Kafka, KafkaConfig } from 'kafkajs';
import { DataSource } from 'typeorm';
import { brokerHealth, BROKER_HEALTH } from './broker-health';
import { EventPublisher } from './event-publisher';
import { kafkaConfigFromEnv } from './kafka-config';
import { MessagingLifecycle } from './messaging-lifecycle';
import { Outbox } from './outbox/outbox';
import { OutboxRelay, OutboxRelayOptions } from './outbox/outbox-relay';

export interface MessagingOptions {
  /** Names the Kafka client (`arca-<serviceName>`) unless KAFKA_CLIENT_ID is set. */
  serviceName: string;
  /** Replaces the settings read from KAFKA_* variables (tests, embedding). */
  kafka?: KafkaConfig;
  relay?: Omit<OutboxRelayOptions, 'onError'>;
}

@Module({})
export class MessagingModule {
  /**
   * Kafka client, EventPublisher, Outbox, and — when the service has a TypeORM DataSource (with
   * OutboxEntity and the Messaging migration) — the OutboxRelay, started with the app. Also the
   * broker health check under BROKER_HEALTH. Global: import it once, in the app module.
   */
  static forService(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: Kafka, useFactory: () => new Kafka(options.kafka ?? kafkaConfigFromEnv(process.env, `arca-${options.serviceName}`)) },
        { provide: EventPublisher, inject: [Kafka], useFactory: (kafka: Kafka) => new EventPublisher(kafka, options.serviceName) },
        Outbox,
        {
          provide: OutboxRelay,
          inject: [EventPublisher, Outbox, { token: DataSource, optional: true }],
          useFactory: (publisher: EventPublisher, outbox: Outbox, dataSource?: DataSource) => {
            if (!dataSource) return null; // a service without a database has nothing to relay
            const logger = new Logger('Outbox');
            return new OutboxRelay(dataSource, publisher, outbox, {
              ...options.relay,
              onError: (error) => logger.warn(`relay pass failed, will retry: ${(error as Error).message}`),
            });
          },
        },
        MessagingLifecycle,
        { provide: BROKER_HEALTH, inject: [Kafka], useFactory: brokerHealth },
      ],
      exports: [Kafka, EventPublisher, Outbox, OutboxRelay, BROKER_HEALTH],
    };
  }
}
