import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Where to send which events. The secret signs every delivery; it is shown once, at creation. */
@Entity({ name: 'webhook_subscriptions' })
export class WebhookSubscriptionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  events: string[];

  /** Kept as is: signing needs it (protect reporting's schema as you would the key itself). */
  @Column({ type: 'text' })
  secret: string;

  /** The tenant it belongs to. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
