import { IsInt, IsISO8601, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/**
 * replication.failed: a snapshot could not be copied to a site. Published once per failure
 * episode: at the copy's first failed attempt, not again while the retries (with backoff) keep
 * failing; the copy's replication.completed ends the episode.
 */
export class ReplicationFailed {
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() @MaxLength(100) site: string;
  @IsString() @MaxLength(4000) reason: string;
  /** The attempt that failed (1 for the first). */
  @IsOptional() @IsInt() @Min(1) attempt?: number;
  /** When the episode began: the first failed attempt. */
  @IsOptional() @IsISO8601() failingSince?: string;
  /** When replication tries the copy again. */
  @IsOptional() @IsISO8601() nextAttemptAt?: string;
}
