import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';
import { BackupObjectLock } from '../../common/object-lock';
import { SourceSpec } from '../../common/source';
import { IsBandwidthLimit } from '../../common/bandwidth';

/** backup.requested: a job to back up a source, by schedule or by hand. One event per job id. */
export class BackupRequested {
  @IsUUID() jobId: string;
  /** Absent for a one-off backup of a source given inline. */
  @IsOptional() @IsUUID() policyId?: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  @IsIn(['schedule', 'manual']) trigger: 'schedule' | 'manual';
  /** The policy's object lock: ingest writes every pack, pack list and manifest of the job with it. */
  @IsOptional() @ValidateNested() @Type(() => BackupObjectLock) objectLock?: BackupObjectLock;
  /** The scheduled time this job stands for (trigger "schedule"): the scheduler's idempotency key. */
  @IsOptional() @IsISO8601() dueAt?: string;
  /** The snapshot to compare with; when absent, ingest takes the latest snapshot of the same source. */
  @IsOptional() @Matches(SNAPSHOT_ID, { message: 'parentSnapshotId must be 64 lowercase hex digits' }) parentSnapshotId?: string;
  @IsBandwidthLimit() bandwidthLimitBytesPerSec?: number;
  /** When the policy's backup window closes: ingest does not start the job after it (it is cancelled instead). */
  @IsOptional() @IsISO8601() notAfter?: string;
  /** 1 for a job's first run; a retry of a failed scheduled job counts up (see the policy's retry rule). */
  @IsOptional() @IsInt() @Min(1) attempt?: number;
}
