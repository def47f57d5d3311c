import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { RECOVER_SITES, RecoverSite } from '../recover-requested/payload';

/** Objects a recovery left out, listed (at most this many; the counts have them all). */
export const RECOVER_SKIPPED_LISTED = 100;

/** An object a recovery could not use, and why (another repository's manifest, a damaged pack header…). */
export class RecoverSkipped {
  @IsString() @MaxLength(200) key: string;
  @IsString() @MaxLength(2000) reason: string;
}

/** recover.completed: what a recovery rebuilt from the bucket. */
export class RecoverCompleted {
  @IsUUID() jobId: string;
  @IsIn(RECOVER_SITES) from: RecoverSite;
  @IsBoolean() merge: boolean;
  @Matches(/^[0-9a-f]{32}$/) repositoryId: string;
  /** Snapshots added to the catalogue. */
  @IsInt() @Min(0) snapshotsRecovered: number;
  /** Snapshots the catalogue held already (a merge): left as they were. */
  @IsInt() @Min(0) snapshotsKept: number;
  /** Manifests left out: another repository's, or unreadable. */
  @IsInt() @Min(0) snapshotsSkipped: number;
  /** Directory listings no pack held (their snapshots are catalogued; `arca check` names what they lose). */
  @IsInt() @Min(0) listingsUnreadable: number;
  @IsInt() @Min(0) packsRecovered: number;
  @IsInt() @Min(0) chunksRecovered: number;
  /** Pack objects whose header could not be read (damaged, or another repository's): not indexed. */
  @IsInt() @Min(0) packsSkipped: number;
  /** Policies brought back from their sealed records, held already (left as they were), or left out (named in `skipped`). */
  @IsInt() @Min(0) policiesRecovered: number;
  @IsInt() @Min(0) policiesKept: number;
  @IsInt() @Min(0) policiesSkipped: number;
  /** Objects copied from the replica back to the primary (a recovery `from` the replica), and their bytes. */
  @IsInt() @Min(0) objectsCopied: number;
  @IsInt() @Min(0) bytesCopied: number;
  @IsArray() @ArrayMaxSize(RECOVER_SKIPPED_LISTED) @ValidateNested({ each: true }) @Type(() => RecoverSkipped) skipped: RecoverSkipped[];
  @IsInt() @Min(0) durationMs: number;
}
