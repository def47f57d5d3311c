import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { SourceSpec } from '../../common/source';

/** Where a backup can fail: waiting in the queue, reading the source, writing packs, asking the index, or writing the manifest. */
export const BACKUP_STAGES = ['queue', 'read', 'store', 'index', 'manifest'] as const;
export type BackupStage = (typeof BACKUP_STAGES)[number];

/** backup.failed: no snapshot was made; `reason` says why, `stage` where. */
export class BackupFailed {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @IsOptional() @ValidateNested() @Type(() => SourceSpec) source?: SourceSpec;
  @IsString() @MaxLength(4000) reason: string;
  @IsIn([...BACKUP_STAGES]) stage: BackupStage;
}
