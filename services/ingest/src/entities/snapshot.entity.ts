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
}
