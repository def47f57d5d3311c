import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bigint = { to: (v: number) => v, from: (v: string) => Number(v) };

/** Every pack object in the primary store, with who wrote it: the basis of usage accounting and pruning. */
@Entity({ name: 'packs' })
@Index('packs_policy_idx', ['policyId'])
export class StoredPackEntity {
  @PrimaryColumn({ type: 'text' }) key: string;
  @Column({ type: 'bigint', transformer: bigint }) size: number;
  @Column({ name: 'raw_bytes', type: 'bigint', transformer: bigint }) rawBytes: number;
  @Column({ name: 'chunk_count', type: 'integer' }) chunkCount: number;
  @Column({ name: 'job_id', type: 'uuid' }) jobId: string;
  @Column({ name: 'policy_id', type: 'uuid', nullable: true }) policyId: string | null;
  @Column({ name: 'stored_at', type: 'timestamptz' }) storedAt: Date;
  /** The tenant whose job wrote it (a prune's rewritten pack: `default`'s, the installation's). */
  @Column({ type: 'text', default: 'default' }) tenant: string;
}
