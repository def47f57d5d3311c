import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';
import { SourceSpec } from '../../common/source';

/** backup.started: an ingest worker took the job. */
export class BackupStarted {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  /** Which ingest instance runs the job (host and process), for operators chasing a stuck job. */
  @IsString() @MaxLength(255) worker: string;
  /** The snapshot unchanged files are taken from; absent for a first, full backup. */
  @IsOptional() @Matches(SNAPSHOT_ID) parentSnapshotId?: string;
}
