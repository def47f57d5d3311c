import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A replica site's failure episode, per tenant: since when its copies of the tenant's snapshots
 * fail (null: they do not). Per tenant, so each tenant hears of an outage in its own events.
 */
@Entity({ name: 'replication_sites' })
export class ReplicationSiteEntity {
  @PrimaryColumn({ type: 'text' }) site: string;
  @PrimaryColumn({ type: 'text' }) tenant: string;
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true }) failingSince: Date | null;
  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true }) lastSuccessAt: Date | null;
}
