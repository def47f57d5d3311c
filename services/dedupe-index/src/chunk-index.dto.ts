import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';

const CHUNK_ID = /^[0-9a-f]{64}$/;
const CHUNK_ID_MESSAGE = 'each chunk id must be 64 lowercase hex characters (a 32-byte keyed hash)';
/** Large enough to amortise a round trip, small enough to keep one query's plan and memory bounded. */
export const MAX_BATCH = 10_000;

export class ChunkIdsDto {
  @IsArray()
  @ArrayMaxSize(MAX_BATCH)
  @Matches(CHUNK_ID, { each: true, message: CHUNK_ID_MESSAGE })
  ids: string[];
}

const PACK_KEY = /^[a-z0-9/_.-]+$/;
const PACK_KEY_MESSAGE = 'must be an object key of lowercase letters, digits and / _ . -';

export class PackKeyDto {
  @IsString()
  @Matches(PACK_KEY, { message: `key ${PACK_KEY_MESSAGE}` })
  key: string;
}

/** One chunk to forget, with the pack a check found it damaged in (or lost from). */
export class ChunkInPackDto {
  @Matches(CHUNK_ID, { message: CHUNK_ID_MESSAGE })
  id: string;

  @IsString()
  @Matches(PACK_KEY, { message: `packKey ${PACK_KEY_MESSAGE}` })
  packKey: string;
}

export class ForgetChunksDto {
  @IsArray()
  @ArrayMaxSize(MAX_BATCH)
  @ValidateNested({ each: true })
  @Type(() => ChunkInPackDto)
  chunks: ChunkInPackDto[];
}

export class PackChunkDto {
  @Matches(CHUNK_ID, { message: CHUNK_ID_MESSAGE })
  id: string;

  @IsInt() @Min(0)
  offset: number;

  @IsInt() @Min(1) @Max(2 ** 31 - 1)
  length: number;

  @IsInt() @Min(0) @Max(2 ** 31 - 1)
  rawLength: number;
}

export class RecordPackDto {
  @IsString()
  @Matches(PACK_KEY, { message: `key ${PACK_KEY_MESSAGE}` })
  key: string;

  @IsInt() @Min(1)
  size: number;

  @IsArray()
  @ArrayMaxSize(1_000_000)
  @ValidateNested({ each: true })
  @Type(() => PackChunkDto)
  chunks: PackChunkDto[];
}
