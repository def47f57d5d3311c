import type { BackupStats } from '@arca/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Statistics as stored; snapshots recorded before the ratios became null when nothing new was
 * stored carry bytesRead / 1 and 0 there, and are read back with the current convention.
 */
export function storedStats(stats: BackupStats | null): BackupStats | null {
  if (!stats || stats.bytesNew !== 0) return stats;
  return { ...stats, dedupeRatio: null, compressionRatio: null };
}

/** The catalogue of snapshots; each one's manifest (tree, metadata, chunk lists) lives in the object store. */
@Entity({ name: 'snapshots' })
@Index('snapshots_source_time_idx', ['sourceKind', 'sourceId', 'time'])
export class SnapshotEntity {
  /** 64 hex characters; clients may use any unique prefix. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  /** The tenant whose job (snapshot) it is. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  /**
   * The repository (key file id) the snapshot belongs to: a catalogue on a database that two
   * repositories share lists, checks and prunes only its own. Null for rows written before it was
   * recorded, which every repository still sees.
   */
  @Column({ name: 'repository_id', type: 'text', nullable: true })
  repositoryId: string | null;

  @Column({ type: 'timestamptz' })
  time: Date;

  @Column({ name: 'source_kind', type: 'text' })
  sourceKind: 'directory' | 'postgres' | 'stream';

  /** What identifies "the same source" across runs: a directory's absolute path, a database, a stream name. */
  @Column({ name: 'source_id', type: 'text' })
  sourceId: string;

  @Column({ type: 'text' })
  hostname: string;

  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ name: 'parent_id', type: 'text', nullable: true })
  parentId: string | null;

  @Column({ name: 'job_id', type: 'uuid' })
  jobId: string;

  @Column({ name: 'manifest_key', type: 'text' })
  manifestKey: string;

  @Column({ type: 'jsonb', transformer: { to: (stats: BackupStats) => stats, from: storedStats } })
  /** The backup's figures, as published in backup.completed. */
  stats: BackupStats;

  /** When the catalogue learnt of it (a prune re-reads the snapshots catalogued after its mark). */
  @Column({ name: 'catalogued_at', type: 'timestamptz', default: () => 'now()', select: false })
  cataloguedAt?: Date;

  /** Forgotten by retention or an operator: gone from listings; a prune reclaims what only it referenced. */
  @Column({ name: 'forgotten_at', type: 'timestamptz', nullable: true })
  forgottenAt: Date | null;

  @Column({ name: 'forgotten_reason', type: 'text', nullable: true })
  forgottenReason: string | null;

  /** When a prune deleted its manifest and pack list. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt: Date | null;

  /** A legal hold: never forgotten or pruned while it is set. */
  @Column({ name: 'held_at', type: 'timestamptz', nullable: true })
  heldAt: Date | null;

  @Column({ name: 'held_by', type: 'text', nullable: true })
  heldBy: string | null;

  @Column({ name: 'hold_reason', type: 'text', nullable: true })
  holdReason: string | null;
}
