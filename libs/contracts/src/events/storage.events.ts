import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { SourceSpec } from '../common/source';
import { BackupStats } from '../common/stats';

const SNAPSHOT_ID = /^[0-9a-f]{64}$/;

/** pack.stored: a pack object was written; the bytes are in the object store, not here. */
export class PackStored {
  @IsUUID() jobId: string;
  @Matches(/^data\/[0-9a-f]{2}\/[0-9a-f]{64}$/) packKey: string;
  @IsInt() @Min(1) size: number;
  @IsInt() @Min(1) chunkCount: number;
  @IsInt() @Min(0) rawBytes: number;
  @IsOptional() @IsUUID() policyId?: string;
}

/** snapshot.stored: a snapshot's manifest is in the object store and its packs are all written. */
export class SnapshotStored {
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() manifestKey: string;
  @IsISO8601() time: string;
  @ValidateNested() @Type(() => SourceSpec) source: SourceSpec;
  @IsOptional() @IsUUID() policyId?: string;
  @IsOptional() @Matches(SNAPSHOT_ID) parentSnapshotId?: string;
  @ValidateNested() @Type(() => BackupStats) stats: BackupStats;
  /** Every pack the snapshot references, so replication knows what to copy. */
  @IsString({ each: true }) packKeys: string[];
}

/** snapshot.forgotten: retention released a snapshot; its unreferenced packs may be pruned. */
export class SnapshotForgotten {
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsString() reason: string;
}
