import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min, registerDecorator, ValidationOptions } from 'class-validator';
import { PACK_KEY } from '../common/ids';

/**
 * The dedupe-index service's internal routes, as both sides see them: ingest calls them, dedupe-index
 * serves them. Chunk ids cross as bytes, never as hex: a list of ids is one base64 string of the
 * 32-byte ids laid end to end (about 43 characters per id instead of 67 as quoted hex), and
 * the other per-chunk fields travel as parallel arrays, so a batch's size is known from its count.
 * The limits below are chosen together: every request the client builds stays under its route's
 * body limit (docs/architecture.md, "Internal routes"), whatever the size of the backup.
 */

export const CHUNK_ID_BYTES = 32;

/** Ids per lookup, locate or forget request: amortises a round trip, keeps one query's plan and memory bounded. */
export const CHUNK_BATCH = 10_000;

/** Chunks one pack registration may carry: the data path's MAX_PACK_CHUNKS (a test in ingest keeps the two equal). */
export const RECORD_PACK_MAX_CHUNKS = 16_384;

/** Body limits of the routes, in bytes: what a full batch encodes to, with room to spare. */
export const CHUNK_INDEX_BODY_LIMITS = {
  /** 10,000 ids: 427 KB of base64. */
  '/chunks/lookup': 1024 * 1024,
  '/chunks/locate': 1024 * 1024,
  /** 10,000 ids and their pack keys (at most 80 bytes each): ~1.3 MB. */
  '/chunks/forget': 2 * 1024 * 1024,
  /** RECORD_PACK_MAX_CHUNKS (16,384) chunks: 700 KB of ids, three numbers each, ~1.3 MB in all. */
  '/packs': 4 * 1024 * 1024,
  '/packs/chunks': 16 * 1024,
  /** PACK_STATE_BATCH (10,000) pack keys of 78 bytes: ~900 KB. */
  '/packs/state': 2 * 1024 * 1024,
  '/packs/forget': 2 * 1024 * 1024,
  '/packs/page': 16 * 1024,
  '/packs/list': 16 * 1024,
} as const;

/** Pack keys per state change or forget request. */
export const PACK_STATE_BATCH = 10_000;

/** Chunks one page of POST /packs/page carries at most (whole packs: a page holds at least one). */
export const PACK_PAGE_CHUNKS = 65_536;

/**
 * A pack's life in the index. `live`: its chunks answer lookups. `condemned`: a prune found nothing
 * live in it; lookups and a backup's reuse checks no longer see its chunks (a backup stores them
 * anew), reads still do, until the prune has waited out every job that could have seen them.
 * `deleting`: its chunk rows are gone and its object is being deleted.
 */
export const PACK_STATES = ['live', 'condemned', 'deleting'] as const;
export type PackState = (typeof PACK_STATES)[number];

/** Ids as bytes, laid end to end, base64. */
export function encodeChunkIds(ids: Array<Buffer | string>): string {
  return Buffer.concat(ids.map((id) => (typeof id === 'string' ? Buffer.from(id, 'hex') : id))).toString('base64');
}

/** The ids of an encoded list, as hex (the form manifests keep). Throws on a list that is not whole ids. */
export function decodeChunkIds(encoded: string): string[] {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length % CHUNK_ID_BYTES !== 0) throw new Error(`a chunk id list is a multiple of ${CHUNK_ID_BYTES} bytes, got ${bytes.length}`);
  const out: string[] = new Array(bytes.length / CHUNK_ID_BYTES);
  for (let i = 0; i < out.length; i++) out[i] = bytes.toString('hex', i * CHUNK_ID_BYTES, (i + 1) * CHUNK_ID_BYTES);
  return out;
}

/** The same, as buffers (the form the index keeps). */
export function decodeChunkIdBuffers(encoded: string): Buffer[] {
  const bytes = Buffer.from(encoded, 'base64');
  const out: Buffer[] = [];
  for (let i = 0; i + CHUNK_ID_BYTES <= bytes.length; i += CHUNK_ID_BYTES) out.push(bytes.subarray(i, i + CHUNK_ID_BYTES));
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A base64 list of whole 32-byte chunk ids, at most `max` of them. */
export function IsChunkIdList(max: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) => registerDecorator({
    name: 'isChunkIdList', target: object.constructor, propertyName, options,
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.length % 4 === 0 && BASE64.test(value)
        && Buffer.byteLength(value, 'base64') % CHUNK_ID_BYTES === 0 && Buffer.byteLength(value, 'base64') / CHUNK_ID_BYTES <= max,
      defaultMessage: () => `${propertyName} must be base64 of whole ${CHUNK_ID_BYTES}-byte chunk ids laid end to end, at most ${max} of them`,
    },
  });
}

/** The number of ids an encoded list holds (for checks of parallel arrays). */
export function chunkIdCount(encoded: string): number {
  return Buffer.byteLength(encoded, 'base64') / CHUNK_ID_BYTES;
}

const PACK_KEY_MESSAGE = 'must be a pack key data/<2 hex>/<64 hex>';

/** POST /chunks/lookup and /chunks/locate. */
export class ChunkIdsRequest {
  @IsChunkIdList(CHUNK_BATCH) ids: string;

  /**
   * Locate only where a new snapshot may reference a chunk: in live packs (a backup's check of the
   * chunks it reuses from its parent). Without it, condemned packs answer too (reads and restores).
   */
  @IsOptional() @IsBoolean() live?: boolean;

  /** Locate across every tenant's chunks, not only the caller's (x-arca-tenant): repository-wide work (check, prune). */
  @IsOptional() @IsBoolean() allTenants?: boolean;
}

/**
 * POST /chunks/lookup: the ids the repository does not hold yet, once each, in the order first
 * asked; and the packs holding the others (a snapshot that takes those chunks references them).
 */
export interface LookupResponse {
  new: string;
  packs: string[];
}

/** POST /chunks/locate: where each found id is, as parallel arrays (`pack` indexes `packs`); ids not found are left out. */
export interface LocateResponse {
  packs: string[];
  ids: string;
  pack: number[];
  offset: number[];
  length: number[];
  rawLength: number[];
}

/** POST /chunks/forget: chunks a check found damaged or lost, each with the pack it was found in (parallel to `ids`). */
export class ForgetChunksRequest {
  @IsChunkIdList(CHUNK_BATCH) ids: string;

  @IsArray() @ArrayMaxSize(CHUNK_BATCH) @Matches(PACK_KEY, { each: true, message: `each of packKeys ${PACK_KEY_MESSAGE}` })
  packKeys: string[];
}

export interface ForgetChunksResponse {
  forgotten: string;
}

/** POST /packs: a stored pack and its chunks, as parallel arrays. */
export class RecordPackRequest {
  @Matches(PACK_KEY, { message: `key ${PACK_KEY_MESSAGE}` }) key: string;

  @IsInt() @Min(1) size: number;

  @IsChunkIdList(RECORD_PACK_MAX_CHUNKS) ids: string;

  @IsArray() @ArrayMaxSize(RECORD_PACK_MAX_CHUNKS) @IsInt({ each: true }) @Min(0, { each: true })
  offsets: number[];

  @IsArray() @ArrayMaxSize(RECORD_PACK_MAX_CHUNKS) @IsInt({ each: true }) @Min(1, { each: true }) @Max(2 ** 31 - 1, { each: true })
  lengths: number[];

  @IsArray() @ArrayMaxSize(RECORD_PACK_MAX_CHUNKS) @IsInt({ each: true }) @Min(0, { each: true }) @Max(2 ** 31 - 1, { each: true })
  rawLengths: number[];

  /** Packs whose rows for these chunks move to this pack (a prune's rewrite of a mostly unused pack). */
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @Matches(PACK_KEY, { each: true, message: `each of replaces ${PACK_KEY_MESSAGE}` })
  replaces?: string[];
}

/** POST /packs/state: move packs between states (live → condemned, condemned → live or deleting); the answer lists those moved. */
export class PackStateRequest {
  @IsArray() @ArrayMaxSize(PACK_STATE_BATCH) @Matches(PACK_KEY, { each: true, message: `each of keys ${PACK_KEY_MESSAGE}` })
  keys: string[];

  @IsIn(PACK_STATES) state: PackState;

  /** The prune that condemns them. */
  @IsOptional() @IsUUID() jobId?: string;
}

export interface PackStateResponse {
  changed: string[];
}

/** POST /packs/forget: remove packs in state deleting whose objects are gone. */
export class PackKeysRequest {
  @IsArray() @ArrayMaxSize(PACK_STATE_BATCH) @Matches(PACK_KEY, { each: true, message: `each of keys ${PACK_KEY_MESSAGE}` })
  keys: string[];
}

/** POST /packs/page: packs in key order after `after`, with the chunks the index places in each. */
export class PackPageRequest {
  @IsOptional() @Matches(PACK_KEY, { message: `after ${PACK_KEY_MESSAGE}` }) after?: string;
}

export interface PackPageResponse {
  packs: Array<{ key: string; size: number; chunkCount: number; state: PackState }>;
  /** The chunks of those packs: ids, the index of their pack in `packs`, their sealed lengths. */
  ids: string;
  pack: number[];
  length: number[];
  /** The key to ask after for the next page; absent on the last. */
  next?: string;
}

/** POST /packs/list: every pack in one state (a prune resuming an interrupted one). */
export class PackListRequest {
  @IsIn(PACK_STATES) state: PackState;
}

export interface PackListResponse {
  packs: Array<{ key: string; size: number }>;
}

/** POST /packs/chunks: the ids the index places in one pack. */
export class PackKeyRequest {
  @IsString() @Matches(PACK_KEY, { message: `key ${PACK_KEY_MESSAGE}` }) key: string;
}

export interface PackChunksResponse {
  ids: string;
}

/** A chunk's place in a pack, as the index records it. */
export interface ChunkLocation {
  packKey: string;
  offset: number;
  length: number;
  rawLength: number;
}

/** Builds a locate answer from located chunks (ids as bytes). */
export function encodeLocations(found: Array<ChunkLocation & { id: Buffer }>): LocateResponse {
  const packIndex = new Map<string, number>();
  const out: LocateResponse = { packs: [], ids: encodeChunkIds(found.map((f) => f.id)), pack: [], offset: [], length: [], rawLength: [] };
  for (const f of found) {
    let n = packIndex.get(f.packKey);
    if (n === undefined) {
      n = out.packs.length;
      packIndex.set(f.packKey, n);
      out.packs.push(f.packKey);
    }
    out.pack.push(n);
    out.offset.push(f.offset);
    out.length.push(f.length);
    out.rawLength.push(f.rawLength);
  }
  return out;
}

/** A locate answer as a map from hex id to location. */
export function decodeLocations(response: LocateResponse): Map<string, ChunkLocation> {
  const ids = decodeChunkIds(response.ids);
  const out = new Map<string, ChunkLocation>();
  ids.forEach((id, i) => out.set(id, { packKey: response.packs[response.pack[i]], offset: response.offset[i], length: response.length[i], rawLength: response.rawLength[i] }));
  return out;
}
