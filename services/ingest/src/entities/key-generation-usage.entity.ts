import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Messages (chunks, pack headers, manifests) sealed so far under one master key generation of a
 * repository: each draws a random 96-bit nonce, and NIST SP 800-38D bounds a key to 2^32 such
 * messages (nonce-budget.ts). Every ingest worker adds to the same row, so the count is the
 * repository's, not one process's.
 */
@Entity({ name: 'key_generation_usage' })
export class KeyGenerationUsageEntity {
  @PrimaryColumn({ name: 'repository_id', type: 'text' })
  repositoryId: string;

  @PrimaryColumn({ type: 'integer' })
  generation: number;

  /** bigint: the bound itself (2^32) does not fit an integer column. */
  @Column({ type: 'bigint', default: 0 })
  sealed: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
