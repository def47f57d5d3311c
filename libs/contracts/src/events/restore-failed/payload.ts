import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** restore.failed: the restore stopped as a whole (snapshot unknown, key locked, target not writable). */
export class RestoreFailed {
  @IsUUID() jobId: string;
  /** Absent when the request itself named no valid snapshot. */
  @IsOptional() @Matches(SNAPSHOT_ID) snapshotId?: string;
  @IsString() @MaxLength(4000) reason: string;
}
