import { IsInt, IsString, Min } from 'class-validator';

/** Unreferenced pack keys named in a report; the count and bytes cover all of them. */
export const UNREFERENCED_LISTED = 100;

/**
 * Packs in the object store that no snapshot references: left by backups that failed or were cut
 * off after storing data. They hold valid chunks (a later backup may reuse them) and are kept
 * until prune reclaims them.
 */
export class UnreferencedPacks {
  @IsInt() @Min(0) count: number;
  @IsInt() @Min(0) bytes: number;
  /** The first UNREFERENCED_LISTED of them. */
  @IsString({ each: true }) keys: string[];
}
