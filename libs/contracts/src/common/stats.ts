import { IsInt, IsNumber, Min } from 'class-validator';
import { Nullable } from './nullable';

/** What a backup did, in the figures operators and downstream systems compare runs by. */
export class BackupStats {
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) dirs: number;
  /** Bytes read from the source (unchanged files reused from the parent count as read). */
  @IsInt() @Min(0) bytesRead: number;
  /** Raw bytes of chunks the repository did not hold before. */
  @IsInt() @Min(0) bytesNew: number;
  /** Bytes written to the object store (compressed, encrypted, with pack overhead). */
  @IsInt() @Min(0) bytesStored: number;
  /** Chunks cut from the bytes actually read (files reused unchanged from the parent add none). */
  @IsInt() @Min(0) chunks: number;
  /** Of those, the chunks the repository did not hold before. */
  @IsInt() @Min(0) newChunks: number;
  /**
   * bytesRead / bytesNew (how much deduplication saved); null when nothing new was stored (an
   * unchanged source: the ratio is unbounded, and bytesNew = 0 already says so).
   */
  @Nullable() @IsNumber() @Min(0) dedupeRatio: number | null;
  /**
   * bytesNew / bytes of chunk data stored for them (how much compression saved); null when nothing
   * new was stored.
   */
  @Nullable() @IsNumber() @Min(0) compressionRatio: number | null;
  @IsInt() @Min(0) durationMs: number;
  @IsNumber() @Min(0) throughputBytesPerSec: number;
}

export class ProgressCounters {
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) bytesRead: number;
  @IsInt() @Min(0) bytesNew: number;
  @IsInt() @Min(0) bytesStored: number;
}

/**
 * The ratios of a backup's figures, rounded to three decimals, null where undefined (nothing new).
 * `bytesStored` is the chunk data stored for the new bytes (pack bytes, without the manifest).
 */
export function backupRatios(figures: { bytesRead: number; bytesNew: number; bytesStored: number }): Pick<BackupStats, 'dedupeRatio' | 'compressionRatio'> {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    dedupeRatio: figures.bytesNew > 0 ? round(figures.bytesRead / figures.bytesNew) : null,
    compressionRatio: figures.bytesNew > 0 && figures.bytesStored > 0 ? round(figures.bytesNew / figures.bytesStored) : null,
  };
}
