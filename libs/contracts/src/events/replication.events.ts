import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { IsInt, IsString, Matches, MaxLength, Min } from 'class-validator';

const SNAPSHOT_ID = /^[0-9a-f]{64}$/;

/** replication.completed: a snapshot and every pack it references are at the secondary site. */
export class ReplicationCompleted {
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() site: string;
  @IsInt() @Min(0) objectsCopied: number;
  @IsInt() @Min(0) bytesCopied: number;
  /** From the snapshot's creation to its arrival at the site. */
  @IsInt() @Min(0) lagMs: number;
}

export class ReplicationFailed {
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() site: string;
  @IsString() @MaxLength(4000) reason: string;
}
