import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';

const SNAPSHOT_ID = /^[0-9a-f]{64}$/;

/** restore.requested: restore a snapshot, or some of its paths, into a target directory. */
export class RestoreRequested {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @Matches(/^\//, { message: 'target must be an absolute path' }) @MaxLength(4096) target: string;
  @IsOptional() @IsArray() @IsString({ each: true }) paths?: string[];
  /** Which site's object store to read: the replica when the primary is gone. */
  @IsOptional() @IsIn(['primary', 'replica']) site?: 'primary' | 'replica';
}

export class RestoreStarted {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() target: string;
  @IsInt() @Min(0) totalBytes: number;
}

export class RestoreProgress {
  @IsUUID() jobId: string;
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) bytesWritten: number;
  @IsInt() @Min(0) totalBytes: number;
}

export class RestoreStats {
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) dirs: number;
  @IsInt() @Min(0) bytesWritten: number;
  @IsInt() @Min(0) durationMs: number;
  @IsInt() @Min(0) throughputBytesPerSec: number;
  /** Files that could not be restored (a damaged chunk), each with its reason. */
  @IsArray() failedFiles: Array<{ path: string; reason: string }>;
}

export class RestoreCompleted {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() target: string;
  @ValidateNested() @Type(() => RestoreStats) stats: RestoreStats;
}

export class RestoreFailed {
  @IsUUID() jobId: string;
  @IsOptional() @Matches(SNAPSHOT_ID) snapshotId?: string;
  @IsString() @MaxLength(4000) reason: string;
}
