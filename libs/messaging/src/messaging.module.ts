import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventPublisher } from './event-publisher';
import { kafkaConfigFromEnv } from './kafka-config';
import { Outbox } from './outbox/outbox';
import { OutboxRelay } from './outbox/outbox-relay';

export const BROKER_HEALTH = Symbol('BROKER_HEALTH');

/** Starts the outbox relay once the app is up and stops it, then the producer, on shutdown. */
@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly publisher: EventPublisher,
    private readonly outbox: Outbox,
    @Optional() @Inject(DataSource) private readonly dataSource?: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: HTTP (and /health, which reports the broker) must come up even while Kafka is away.
    this.publisher.connect().catch((error) => this.logger.warn(`Kafka not reachable yet: ${(error as Error).message}`));
    if (this.dataSource) {
      this.relay = new OutboxRelay(this.dataSource, this.publisher, this.outbox, {
        onError: (error) => this.logger.warn(`relay pass failed, will retry: ${(error as Error).message}`),
      });
      this.relay.start();
      this.relay.kick();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.relay?.stop();
    await this.publisher.disconnect();
  }
}

@Module({})
export class MessagingModule {
  /** Kafka client, publisher, outbox (+ relay when the service has a DataSource), and the broker health check. */
  static forService(options: { serviceName: string }): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: Kafka, useFactory: () => new Kafka(kafkaConfigFromEnv(process.env, `arca-${options.serviceName}`)) },
        { provide: EventPublisher, inject: [Kafka], useFactory: (kafka: Kafka) => new EventPublisher(kafka) },
        Outbox,
        MessagingLifecycle,
        {
          provide: BROKER_HEALTH,
          inject: [Kafka],
          useFactory: (kafka: Kafka) => {
            const admin = kafka.admin();
            let connected: Promise<void> | undefined;
            return {
              name: 'broker',
              check: async () => {
                connected ??= admin.connect().catch((error) => { connected = undefined; throw error; });
                await connected;
                const cluster = await admin.describeCluster();
                return { brokers: cluster.brokers.length };
              },
            };
          },
        },
      ],
      exports: [Kafka, EventPublisher, Outbox, BROKER_HEALTH],
    };
  }
}
