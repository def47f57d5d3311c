import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A storage quota an admin set (PUT /quotas/sites/:site, /quotas/tenants/:tenant): the forecast says when it is reached. */
@Entity({ name: 'quotas' })
export class QuotaEntity {
  @PrimaryColumn({ type: 'text' })
  scope: 'site' | 'tenant';

  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  bytes: number;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
