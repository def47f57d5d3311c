import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';
import { SourceSpec } from '../../common/source';
import { BackupStats } from '../../common/stats';

/** backup.completed: the snapshot is stored; downstream systems subscribe to this. */
export class BackupCompleted {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  /** Object key of the snapshot's manifest in the repository. */
  @IsString() manifestKey: string;
  @ValidateNested() @Type(() => BackupStats) stats: BackupStats;
  /** Files that could not be read (the snapshot holds the rest). */
  @IsInt() @Min(0) errors: number;
}
