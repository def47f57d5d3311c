import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where one chunk of the repository lives. The primary key is the tenant and the 32-byte keyed
 * hash, so a tenant's "is this chunk new?" question is a primary-key probe (a B-tree of depth ~4
 * at tens of millions of rows), answered for a whole batch by one `= ANY($1)` query, and never
 * sees another tenant's chunks (whose ids are under other keys anyway: tenantKey).
 */
@Entity({ name: 'chunk_locations' })
@Index('chunk_locations_pack_key_idx', ['packKey'])
export class ChunkLocationEntity {
  @PrimaryColumn({ type: 'text', default: 'default' })
  tenant: string;

  @PrimaryColumn({ type: 'bytea' })
  id: Buffer;

  @Column({ name: 'pack_key', type: 'text' })
  packKey: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  offset: number;

  @Column({ type: 'integer' })
  length: number;

  @Column({ name: 'raw_length', type: 'integer' })
  rawLength: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
