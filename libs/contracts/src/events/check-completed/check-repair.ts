import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsArray, IsString, MaxLength, ValidateNested } from 'class-validator';

/** A snapshot that still references damaged data after a repair, and its files that do. */
export class DamagedSnapshot {
  @IsString() @MaxLength(64) snapshotId: string;
  @IsString({ each: true }) files: string[];
}

/**
 * What `check --repair` did: the chunk ids it removed from the dedupe index (so the next backup
 * stores them again), and the snapshots that stay damaged (repair rewrites no snapshot and deletes
 * no pack).
 */
export class CheckRepair {
  /** Chunk ids removed from the dedupe index. */
  @IsString({ each: true }) forgotten: string[];
  /** Damaged chunk ids the index did not place in the damaged pack: nothing to forget (a backup already stored them again, or the index lacks them, so the next backup does). */
  @IsString({ each: true }) notIndexedThere: string[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => DamagedSnapshot) damagedSnapshots: DamagedSnapshot[];
  /** One sentence for operators: what stays damaged and what the next backup does. */
  @IsString() @MaxLength(2000) note: string;
}

/**
 * A damaged copy of a chunk that restores no longer use: the index places the chunk in another
 * pack (a backup after `check --repair` stored it again). The old pack still holds the bad bytes.
 */
export class SupersededCopy {
  @IsString() @MaxLength(64) chunkId: string;
  @IsString() @MaxLength(1024) packKey: string;
  @IsString() @MaxLength(4000) reason: string;
  /** The pack the index places the chunk in, which restores read. */
  @IsString() @MaxLength(1024) indexedIn: string;
}
