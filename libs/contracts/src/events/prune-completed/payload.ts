import { IsBoolean, IsInt, IsUUID, Matches, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** prune.completed: what a prune forgot and freed (or would have, for a dry run). */
export class PruneCompleted {
  @IsUUID() jobId: string;
  @IsBoolean() dryRun: boolean;
  @Matches(SNAPSHOT_ID, { each: true }) snapshotsForgotten: string[];
  @IsInt() @Min(0) packsDeleted: number;
  @IsInt() @Min(0) bytesFreed: number;
  @IsInt() @Min(0) durationMs: number;
}
