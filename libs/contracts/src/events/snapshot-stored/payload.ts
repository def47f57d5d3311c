import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
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
  /**
   * The object listing every pack the snapshot references, one key a line (`packListKey(snapshotId)`),
   * so replication knows what to copy. A list, not the keys themselves: a snapshot of a terabyte
   * references some 60,000 packs, far more than a Kafka message should carry.
   */
  @Matches(/^packlists\/[0-9a-f]{64}$/, { message: 'packListKey must be packlists/<snapshot id>' }) packListKey: string;
  @IsInt() @Min(0) packCount: number;
}

/** Where a snapshot's pack list lies in the object store. */
export function packListKey(snapshotId: string): string {
  return `packlists/${snapshotId}`;
}

/** A pack list's bytes: the keys, one a line. */
export function encodePackList(packKeys: string[]): Buffer {
  return Buffer.from(packKeys.length > 0 ? `${packKeys.join('\n')}\n` : '');
}

export function decodePackList(bytes: Buffer): string[] {
  return bytes.toString('utf8').split('\n').filter(Boolean);
}
