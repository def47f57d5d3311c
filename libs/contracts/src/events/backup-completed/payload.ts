import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';
import { SourceSpec } from '../../common/source';
import { BackupStats } from '../../common/stats';
import { FailedFile } from '../restore-completed/failed-file';

/** How many of a backup's skipped entries backup.completed lists (`errors` counts them all). */
export const SKIPPED_LISTED = 100;

/** backup.completed: the snapshot is stored; downstream systems subscribe to this. */
export class BackupCompleted {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  /** Object key of the snapshot's manifest in the repository. */
  @IsString() manifestKey: string;
  @ValidateNested() @Type(() => BackupStats) stats: BackupStats;
  /** Entries that could not be read or are not backed up, e.g. sockets (the snapshot holds the rest). */
  @IsInt() @Min(0) errors: number;
  /** The first SKIPPED_LISTED of them, each with its reason (absent when there are none). */
  @IsOptional() @IsArray() @ArrayMaxSize(SKIPPED_LISTED) @ValidateNested({ each: true }) @Type(() => FailedFile) skipped?: FailedFile[];
}
