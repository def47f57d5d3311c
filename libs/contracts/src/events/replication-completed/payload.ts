import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** replication.completed: a snapshot and every pack it references are at a secondary site. */
export class ReplicationCompleted {
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() @MaxLength(100) site: string;
  /** Objects copied this time; packs the site already held are not counted. */
  @IsInt() @Min(0) objectsCopied: number;
  @IsInt() @Min(0) bytesCopied: number;
  /** From the snapshot's time to its arrival at the site: the replica's recovery point lag. */
  @IsInt() @Min(0) lagMs: number;
  /** Attempts it took (more than 1 after failures; its replication.failed was published at the first). */
  @IsOptional() @IsInt() @Min(1) attempts?: number;
}
