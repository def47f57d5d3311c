import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** prune.completed: what a prune deleted, rewrote and freed (or would have, for a dry run). */
export class PruneCompleted {
  @IsUUID() jobId: string;
  @IsBoolean() dryRun: boolean;
  /** Forgotten snapshots whose manifests the prune removed (at most 1,000 listed; `snapshotsPurgedCount` has them all). */
  @Matches(SNAPSHOT_ID, { each: true }) snapshotsPurged: string[];
  @IsInt() @Min(0) snapshotsPurgedCount: number;
  /** Packs deleted: those no live snapshot referenced, and those rewritten. */
  @IsInt() @Min(0) packsDeleted: number;
  /** Packs whose live chunks were copied into new packs before the old ones were deleted. */
  @IsInt() @Min(0) packsRewritten: number;
  /** New packs the rewritten chunks went into. */
  @IsInt() @Min(0) packsWritten: number;
  /** Pack objects in the store that the index did not know (left by a crash between upload and registration). */
  @IsInt() @Min(0) orphansDeleted: number;
  /** Packs that a backup running during the prune came to reference, so they were kept. */
  @IsInt() @Min(0) packsRescued: number;
  /** Packs no snapshot references that an object lock keeps until its date. */
  @IsInt() @Min(0) packsLocked: number;
  /** Bytes of the objects deleted, less the bytes written. */
  @IsInt() @Min(0) bytesFreed: number;
  @IsInt() @Min(0) bytesWritten: number;
  /** Unused bytes left in packs after the prune, and the bytes stored. */
  @IsInt() @Min(0) bytesUnused: number;
  @IsInt() @Min(0) bytesStored: number;
  @IsInt() @Min(0) durationMs: number;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}
