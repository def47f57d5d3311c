import { PayloadOf, Topic, TOPICS } from '@arca/contracts';
import { EventPublisher } from '@arca/messaging';
import { Injectable } from '@nestjs/common';
import type { Caller } from './auth/caller';

/**
 * The gateway's events. Its commands (restore, check) are published directly, each followed by
 * an audit record naming the authenticated caller, the request and the trace.
 */
@Injectable()
export class GatewayEvents {
  constructor(private readonly publisher: EventPublisher) {}

  /** Publishes a command, then audits it as `action` (default: the topic with `.requested` → `.run`). */
  async publish<T extends Topic>(topic: T, payload: PayloadOf<T>, options: { jobId?: string; caller: Caller; action?: string }): Promise<void> {
    await this.publisher.publish(topic, payload, { jobId: options.jobId, actor: options.caller.actor, tenant: options.caller.tenant });
    await this.audit(options.caller, options.action ?? topic.replace('.requested', '.run'), options.jobId ?? '', payload as unknown as Record<string, unknown>);
  }

  audit(caller: Caller, action: string, target: string, details: Record<string, unknown> = {}): Promise<unknown> {
    const { actor, tenant, principal, requestId, traceId } = caller;
    return this.publisher.publish(TOPICS.auditRecorded, { actor, action, target, details, principal, requestId, traceId }, { actor, tenant });
  }
}
