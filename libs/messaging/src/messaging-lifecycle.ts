import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { EventPublisher } from './event-publisher';
import { OutboxRelay } from './outbox/outbox-relay';

/** Connects the producer and starts the outbox relay once the app is up; stops both, relay first, on shutdown. */
@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Messaging');

  constructor(
    private readonly publisher: EventPublisher,
    @Optional() @Inject(OutboxRelay) private readonly relay: OutboxRelay | null,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: HTTP (and /health, which reports the broker) must come up even while Kafka is away.
    this.publisher.connect().catch((error) => this.logger.warn(`Kafka not reachable yet: ${(error as Error).message}`));
    this.relay?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.publisher.disconnect();
  }
}
