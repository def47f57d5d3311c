import { IsString, MaxLength } from 'class-validator';

/**
 * A chunk a check found damaged or missing, with what it breaks. `chunkId` and `packKey` are empty
 * for damage that is not one chunk's (an unreadable manifest, a check that could not run).
 */
export class DamagedChunk {
  @IsString() @MaxLength(64) chunkId: string;
  @IsString() @MaxLength(1024) packKey: string;
  @IsString() @MaxLength(4000) reason: string;
  /** Snapshots that reference the chunk: none of them restores completely. */
  @IsString({ each: true }) snapshots: string[];
  /** Paths, in those snapshots, of the files that use the chunk. */
  @IsString({ each: true }) files: string[];
}
