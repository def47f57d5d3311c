import { IsInt, IsString, IsUUID, Matches, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** restore.started: an ingest worker took the restore job and knows how much it will write. */
export class RestoreStarted {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() target: string;
  @IsInt() @Min(0) totalBytes: number;
}
