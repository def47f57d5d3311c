import { IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** restore.requested: restore a snapshot, or some of its paths, into a target directory. */
export class RestoreRequested {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  /** An absolute directory on the ingest worker's host; created if missing. */
  @Matches(/^\//, { message: 'target must be an absolute path' }) @MaxLength(4096) target: string;
  /** Paths inside the snapshot to restore (with everything under them); absent means all. */
  @IsOptional() @IsArray() @IsString({ each: true }) paths?: string[];
  /** Which site's object store to read: the replica when the primary is gone. */
  @IsOptional() @IsIn(['primary', 'replica']) site?: 'primary' | 'replica';
}
