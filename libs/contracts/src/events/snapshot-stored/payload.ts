import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';
import { SourceSpec } from '../../common/source';
import { BackupStats } from '../../common/stats';

/** snapshot.stored: a snapshot's manifest is in the object store and its packs are all written. */
export class SnapshotStored {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() manifestKey: string;
  /** When the backup started reading: the point in time the snapshot recovers to. */
  @IsISO8601() time: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  @IsOptional() @IsUUID() policyId?: string;
  @IsOptional() @Matches(SNAPSHOT_ID) parentSnapshotId?: string;
  @ValidateNested() @Type(() => BackupStats) stats: BackupStats;
  /** Every pack the snapshot references, so replication knows what to copy. */
  @IsString({ each: true }) packKeys: string[];
}
