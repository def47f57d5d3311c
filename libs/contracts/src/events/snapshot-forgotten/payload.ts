import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** snapshot.forgotten: retention (or an operator) released a snapshot; packs nothing else references may be pruned. */
export class SnapshotForgotten {
  @Matches(SNAPSHOT_ID) snapshotId: string;
  /** e.g. "retention: beyond keepDaily 7" or "operator: alice". */
  @IsString() @MaxLength(1000) reason: string;
  /** The prune job that forgot it, when one did. */
  @IsOptional() @IsUUID() jobId?: string;
}
