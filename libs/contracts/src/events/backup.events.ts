import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { SourceSpec } from '../common/source';
import { BackupStats, ProgressCounters } from '../common/stats';

const SNAPSHOT_ID = /^[0-9a-f]{64}$/;

/** backup.requested: a job to back up a source, by schedule or by hand. */
export class BackupRequested {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  @IsIn(['schedule', 'manual']) trigger: 'schedule' | 'manual';
  @IsOptional() @IsISO8601() dueAt?: string;
  @IsOptional() @IsInt() @Min(1024) bandwidthLimitBytesPerSec?: number;
}

/** backup.started: an ingest worker took the job. */
export class BackupStarted {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  @IsString() @MaxLength(255) worker: string;
  @IsOptional() @Matches(SNAPSHOT_ID) parentSnapshotId?: string;
}

/** backup.progress: periodic counters while a backup runs. */
export class BackupProgress extends ProgressCounters {
  @IsUUID() jobId: string;
  @IsOptional() @IsInt() @Min(0) totalBytes?: number;
  @IsOptional() @IsString() @MaxLength(4096) currentPath?: string;
}

/** backup.completed: the snapshot is stored; downstream systems subscribe to this. */
export class BackupCompleted {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  @IsString() manifestKey: string;
  @ValidateNested() @Type(() => BackupStats) stats: BackupStats;
  /** Files that could not be read (the snapshot holds the rest). */
  @IsInt() @Min(0) errors: number;
}

/** backup.failed: no snapshot was made; `reason` says why, `stage` where. */
export class BackupFailed {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @IsOptional() @ValidateNested() @Type(() => SourceSpec) source?: SourceSpec;
  @IsString() @MaxLength(4000) reason: string;
  @IsIn(['queue', 'read', 'store', 'index', 'manifest']) stage: 'queue' | 'read' | 'store' | 'index' | 'manifest';
}
