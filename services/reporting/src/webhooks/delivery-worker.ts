import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { retryDelayMs, signatureHeader } from './webhook-signature';
import { WebhooksService } from './webhooks.service';

export interface DeliveryOptions {
  /** How often due deliveries are looked for. */
  pollMs: number;
  /** The first retry's wait; each next one doubles. */
  retryBaseMs: number;
  /** Attempts before a delivery is given up (marked failed). */
  maxAttempts: number;
  /** How long a receiver may take to answer. */
  timeoutMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = { pollMs: 1000, retryBaseMs: 10_000, maxAttempts: 8, timeoutMs: 10_000 };
export const DELIVERY_OPTIONS = Symbol('DELIVERY_OPTIONS');

/**
 * Sends due webhook deliveries, signed, and records each answer. A receiver that fails or is
 * slow gets its delivery again later (10 s, 20 s, 40 s, … up to 8 attempts, about 21 minutes in
 * all); nothing else waits for it. Claims are row locks, so several reporting instances share
 * the work without sending twice.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly options: DeliveryOptions;

  constructor(private readonly dataSource: DataSource, private readonly webhooks: WebhooksService, @Optional() @Inject(DELIVERY_OPTIONS) options?: DeliveryOptions) {
    this.options = options ?? DEFAULT_DELIVERY;
  }

  onApplicationBootstrap(): void {
    const tick = async () => {
      try {
        while (!this.stopped && (await this.deliverDue()) > 0) { /* more may be due */ }
      } catch (error) {
        this.logger.warn(`delivering webhooks failed, will retry: ${(error as Error).message}`);
      }
      if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
    };
    this.timer = setTimeout(tick, this.options.pollMs);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Sends one batch of due deliveries; returns how many it tried. */
  async deliverDue(batch = 20): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const due = await this.webhooks.claimDue(m, batch);
      await Promise.all(due.map(async (delivery) => {
        const outcome = await this.send(delivery.url, delivery.secret, delivery);
        const attempts = delivery.attempts + 1;
        const delivered = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
        const givenUp = !delivered && attempts >= this.options.maxAttempts;
        await m.update(WebhookDeliveryEntity, { id: delivery.id }, {
          attempts, lastStatus: outcome.status, lastError: outcome.error,
          status: delivered ? 'delivered' : givenUp ? 'failed' : 'pending',
          nextAttemptAt: delivered || givenUp ? null : new Date(Date.now() + retryDelayMs(attempts, this.options.retryBaseMs)),
          deliveredAt: delivered ? new Date() : null,
        });
        if (givenUp) this.logger.warn(`gave up delivering ${delivery.event} ${delivery.eventId} to ${delivery.url} after ${attempts} attempts: ${outcome.error}`);
      }));
      return due.length;
    });
  }

  private async send(url: string, secret: string, delivery: WebhookDeliveryEntity): Promise<{ status: number | null; error: string | null }> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(url, {
        method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs), body: delivery.body,
        headers: {
          'content-type': 'application/json', 'user-agent': 'Arca-Webhooks/1',
          'arca-event': delivery.event, 'arca-delivery': delivery.id, 'arca-event-id': delivery.eventId,
          'arca-signature': signatureHeader(secret, timestamp, delivery.body),
        },
      });
      await response.arrayBuffer().catch(() => undefined); // the answer's body is not kept
      return { status: response.status, error: response.ok ? null : `answered ${response.status} ${response.statusText}` };
    } catch (error) {
      const e = error as { name?: string; message: string; cause?: { code?: string } };
      return { status: null, error: e.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (e.cause?.code ?? e.message) };
    }
  }
}
