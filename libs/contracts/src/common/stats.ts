import { IsInt, IsNumber, Min } from 'class-validator';

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
  @IsInt() @Min(0) chunks: number;
  @IsInt() @Min(0) newChunks: number;
  /** bytesRead / bytesNew (how much deduplication saved); 0 when nothing was read. */
  @IsNumber() @Min(0) dedupeRatio: number;
  /** bytesNew / bytesStored (how much compression saved). */
  @IsNumber() @Min(0) compressionRatio: number;
  @IsInt() @Min(0) durationMs: number;
  @IsNumber() @Min(0) throughputBytesPerSec: number;
}

export class ProgressCounters {
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) bytesRead: number;
  @IsInt() @Min(0) bytesNew: number;
  @IsInt() @Min(0) bytesStored: number;
}
