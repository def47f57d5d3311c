import { CreateWebhookRequest } from '@arca/contracts';
import { qualifiedTable } from '@arca/persistence';
import { Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from '../entities/webhook-subscription.entity';

export type SubscriptionView = Omit<WebhookSubscriptionEntity, 'secret'>;

function view({ secret: _secret, ...rest }: WebhookSubscriptionEntity): SubscriptionView {
  return rest;
}

/** Subscriptions, and the deliveries each event becomes. */
@Injectable()
export class WebhooksService {
  constructor(private readonly dataSource: DataSource) {}

  async subscribe(request: CreateWebhookRequest, tenant: string, createdBy: string): Promise<SubscriptionView & { secret: string }> {
    const subscription: WebhookSubscriptionEntity = {
      id: randomUUID(), tenant, url: request.url, events: request.events, secret: `whsec_${randomBytes(32).toString('base64url')}`, createdBy, createdAt: new Date(),
    };
    await this.dataSource.getRepository(WebhookSubscriptionEntity).insert(subscription);
    return { ...view(subscription), secret: subscription.secret };
  }

  async list(tenant: string): Promise<SubscriptionView[]> {
    return (await this.dataSource.getRepository(WebhookSubscriptionEntity).find({ where: { tenant }, order: { createdAt: 'ASC' } })).map(view);
  }

  /** Removes a subscription and its deliveries, sent or not. */
  async remove(tenant: string, id: string): Promise<void> {
    const { affected } = await this.dataSource.getRepository(WebhookSubscriptionEntity).delete({ id, tenant });
    if (!affected) throw new NotFoundException(`webhook ${id} not found`);
  }

  async deliveries(tenant: string, subscriptionId: string, limit: number): Promise<WebhookDeliveryEntity[]> {
    await this.existing(tenant, subscriptionId);
    return this.dataSource.getRepository(WebhookDeliveryEntity).find({ where: { subscriptionId }, order: { createdAt: 'DESC' }, take: limit });
  }

  /** A `webhook.test` delivery to one subscription, sent like any other. */
  async test(tenant: string, subscriptionId: string): Promise<WebhookDeliveryEntity> {
    await this.existing(tenant, subscriptionId);
    const eventId = randomUUID();
    await this.enqueue(this.dataSource.manager, tenant, 'webhook.test', eventId, new Date(), { message: 'a test delivery from Arca' }, subscriptionId);
    return this.dataSource.getRepository(WebhookDeliveryEntity).findOneByOrFail({ subscriptionId, eventId });
  }

  /**
   * Writes a delivery for each of the tenant's subscriptions to `event` (or for the one named), in
   * the caller's transaction: the event is consumed and its deliveries exist, or neither. Once per
   * event id. Another tenant's subscriptions never hear of it.
   */
  async enqueue(m: EntityManager, tenant: string, event: string, eventId: string, occurredAt: Date, data: Record<string, unknown>, onlySubscription?: string): Promise<void> {
    const subscriptions = await m.createQueryBuilder(WebhookSubscriptionEntity, 's')
      .where(onlySubscription ? 's.id = :id' : ':event = ANY(s.events)', { id: onlySubscription, event }).andWhere('s.tenant = :tenant', { tenant }).getMany();
    if (subscriptions.length === 0) return;
    const body = JSON.stringify({ id: eventId, type: event, occurredAt: occurredAt.toISOString(), data });
    const now = new Date();
    await m.createQueryBuilder().insert().into(WebhookDeliveryEntity).values(subscriptions.map((s) => ({
      id: randomUUID(), subscriptionId: s.id, eventId, event, body, status: 'pending' as const, attempts: 0, nextAttemptAt: now,
      lastStatus: null, lastError: null, createdAt: now, deliveredAt: null,
    }))).orIgnore().execute();
  }

  /** Claims due deliveries for one worker (others skip the rows it holds), with their subscriptions. */
  async claimDue(m: EntityManager, limit: number): Promise<Array<WebhookDeliveryEntity & { url: string; secret: string }>> {
    const deliveries = qualifiedTable(this.dataSource, WebhookDeliveryEntity);
    const subscriptions = qualifiedTable(this.dataSource, WebhookSubscriptionEntity);
    const rows: Array<{ id: string; url: string; secret: string }> = await m.query(
      `SELECT d.id, s.url, s.secret FROM ${deliveries} d JOIN ${subscriptions} s ON s.id = d.subscription_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= now() ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED`, [limit]);
    if (rows.length === 0) return [];
    const found = await m.findByIds(WebhookDeliveryEntity, rows.map((r) => r.id));
    return found.map((d) => ({ ...d, ...rows.find((r) => r.id === d.id)! }));
  }

  private async existing(tenant: string, id: string): Promise<void> {
    if (!(await this.dataSource.getRepository(WebhookSubscriptionEntity).existsBy({ id, tenant }))) throw new NotFoundException(`webhook ${id} not found`);
  }
}
