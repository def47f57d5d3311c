import type { PackState } from '@arca/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A pack object the index knows about (its chunks are in chunk_locations). */
@Entity({ name: 'packs' })
export class PackEntity {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size: number;

  @Column({ name: 'chunk_count', type: 'integer' })
  chunkCount: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** See PACK_STATES in @arca/contracts: live, condemned (by a prune, awaiting its sweep), deleting. */
  @Column({ type: 'text', default: 'live' })
  state: PackState;

  @Column({ name: 'condemned_at', type: 'timestamptz', nullable: true })
  condemnedAt: Date | null;

  @Column({ name: 'condemned_by', type: 'uuid', nullable: true })
  condemnedBy: string | null;
}
