import { PayloadOf, Topic, TOPICS } from '@arca/contracts';
import { EventPublisher } from '@arca/messaging';
import { Injectable } from '@nestjs/common';

/**
 * The gateway's events. It owns no database, so its commands (restore, check) are published
 * directly; each is followed by an audit record naming who asked.
 */
@Injectable()
export class GatewayEvents {
  constructor(private readonly publisher: EventPublisher) {}

  /** Publishes a command, then audits it as `action` (default: the topic with `.requested` → `.run`). */
  async publish<T extends Topic>(topic: T, payload: PayloadOf<T>, options: { jobId?: string; actor: string; action?: string }): Promise<void> {
    await this.publisher.publish(topic, payload, { jobId: options.jobId, actor: options.actor });
    await this.audit(options.actor, options.action ?? topic.replace('.requested', '.run'), options.jobId ?? '', payload as unknown as Record<string, unknown>);
  }

  audit(actor: string, action: string, target: string, details: Record<string, unknown> = {}): Promise<unknown> {
    return this.publisher.publish(TOPICS.auditRecorded, { actor, action, target, details }, { actor });
  }
}
