import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Objects known to be at the secondary site, so a pack shared by many snapshots is copied once. */
@Entity({ name: 'replicated_objects' })
export class ReplicatedObjectEntity {
  @PrimaryColumn({ type: 'text' }) key: string;
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) size: number;
  @Column({ name: 'copied_at', type: 'timestamptz', default: () => 'now()' }) copiedAt: Date;
}
