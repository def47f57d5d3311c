import { IsString, Matches, MaxLength } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** replication.failed: a snapshot could not be copied to a site; the next snapshot.stored retries what is missing. */
export class ReplicationFailed {
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() @MaxLength(100) site: string;
  @IsString() @MaxLength(4000) reason: string;
}
