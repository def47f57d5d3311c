import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A replica site's failure episode: since when its copies fail (null: they do not). */
@Entity({ name: 'replication_sites' })
export class ReplicationSiteEntity {
  @PrimaryColumn({ type: 'text' }) site: string;
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true }) failingSince: Date | null;
  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true }) lastSuccessAt: Date | null;
}
