import { randomBytes } from 'node:crypto';
import { MasterKey } from './keys';
import { openObject, sealObject } from './sealer';

/** Where one sealed chunk sits inside a pack. */
export interface PackEntry {
  id: string; // hex
  offset: number;
  length: number;
  rawLength: number;
  compressed: boolean;
}

export interface FinishedPack {
  /**
   * data/<2 hex>/<64 random hex>. Random rather than the pack's SHA-256: hashing every pack again
   * cost ~15% of the backup's main-thread time, and buys nothing here (chunks and header carry
   * their own GCM tags; a retried upload reuses this key, so it stays idempotent).
   */
  key: string;
  bytes: Buffer;
  entries: PackEntry[];
}

const MAGIC = Buffer.from('ARP1');
const TRAILER = 8; // uint32 header length + magic

/** 16 MiB: few objects per GB, cheap whole-pack reads on restore, and far below the 64 MiB single-PUT limit. */
export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;
/**
 * The largest target size accepted: a pack is closed once it reaches the target, so it can exceed
 * it by one sealed chunk (at most 8 MiB + overhead with the default chunker) plus its header; 48 MiB
 * keeps every pack under the 64 MiB single-PUT limit.
 */
export const MAX_PACK_SIZE = 48 * 1024 * 1024;
/**
 * Chunks per pack: a pack is closed at this count as well as at its target size. 16 MiB of tiny
 * files would otherwise make a pack of hundreds of thousands of chunks, whose header and index
 * registration grow with it; 16,384 keeps the sealed header near 2 MiB and a pack's registration
 * under dedupe-index's body limit (libs/contracts RECORD_PACK_MAX_CHUNKS, checked equal in ingest's tests).
 */
export const MAX_PACK_CHUNKS = 16_384;
/** Bytes at the end of every pack: uint32 header length, then the magic "ARP1". */
export const PACK_TRAILER_SIZE = TRAILER;

export function validatePackSize(size: number): number {
  if (!Number.isInteger(size) || size < 64 * 1024 || size > MAX_PACK_SIZE) {
    throw new Error(`pack size must be between 64 KiB and ${MAX_PACK_SIZE / 1024 / 1024} MiB (packs must stay well below 64 MiB), got ${size}`);
  }
  return size;
}

/** The object key of a pack: data/<first 2 hex>/<64 hex>. */
export function packKeyFor(hex64: string): string {
  if (!/^[0-9a-f]{64}$/.test(hex64)) throw new Error(`a pack name is 64 lower-case hex digits, got ${hex64}`);
  return `data/${hex64.slice(0, 2)}/${hex64}`;
}

export function isPackKey(key: string): boolean {
  const m = /^data\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(key);
  return !!m && m[2].startsWith(m[1]);
}

/**
 * Collects sealed chunks into one pack object. The pack ends with its own encrypted header (the
 * list of chunks and where they are), so packs are self-describing: the chunk index can always
 * be rebuilt from the object store alone.
 */
export class PackWriter {
  private parts: Buffer[] = [];
  private entries: PackEntry[] = [];
  private offset = 0;

  /** Adds a sealed chunk, given whole or in pieces (pieces are concatenated once, with the pack). */
  add(id: Buffer, sealed: Buffer | Buffer[], rawLength: number, compressed: boolean): void {
    const pieces = Array.isArray(sealed) ? sealed : [sealed];
    const length = pieces.reduce((n, p) => n + p.length, 0);
    this.entries.push({ id: id.toString('hex'), offset: this.offset, length, rawLength, compressed });
    this.parts.push(...pieces);
    this.offset += length;
  }

  get size(): number {
    return this.offset;
  }

  get count(): number {
    return this.entries.length;
  }

  /** Closes the pack and starts a new one; chunks added while this one is sealed go to the next. */
  async finish(key: MasterKey): Promise<FinishedPack> {
    const { parts, entries } = this;
    this.parts = [];
    this.entries = [];
    this.offset = 0;
    const header = await sealObject(key, 'arca-pack-header', entries);
    const trailer = Buffer.alloc(TRAILER);
    trailer.writeUInt32BE(header.length, 0);
    MAGIC.copy(trailer, 4);
    const bytes = Buffer.concat([...parts, header, trailer]);
    return { key: packKeyFor(randomBytes(32).toString('hex')), bytes, entries };
  }
}

/**
 * The header's length from a pack's last PACK_TRAILER_SIZE bytes: with a ranged store, read the
 * trailer, then the header (`headerRange`), never the whole pack.
 */
export function parsePackTrailer(trailer: Buffer, packKey = 'pack'): number {
  if (trailer.length < TRAILER || !trailer.subarray(trailer.length - 4).equals(MAGIC)) throw new Error(`${packKey}: not an Arca pack (bad trailer)`);
  return trailer.readUInt32BE(trailer.length - TRAILER);
}

/** Where a pack's sealed header lies, given the pack's length and the header length from its trailer. */
export function headerRange(packLength: number, headerLength: number, packKey = 'pack'): { offset: number; length: number } {
  if (headerLength > packLength - TRAILER) throw new Error(`${packKey}: header length ${headerLength} exceeds the pack (${packLength} bytes)`);
  return { offset: packLength - TRAILER - headerLength, length: headerLength };
}

/** Decrypts a sealed pack header and checks that every entry lies inside the pack's data area. */
export async function openPackHeader(key: MasterKey, sealedHeader: Buffer, dataLength: number, packKey = 'pack'): Promise<PackEntry[]> {
  const entries = await openObject<PackEntry[]>(key, 'arca-pack-header', sealedHeader).catch((error: Error) => {
    throw new Error(`${packKey}: header unreadable: ${error.message}`);
  });
  if (!Array.isArray(entries)) throw new Error(`${packKey}: header is not a chunk list`);
  for (const e of entries) {
    if (!/^[0-9a-f]{64}$/.test(e.id) || !(e.offset >= 0) || !(e.length > 0) || e.offset + e.length > dataLength) {
      throw new Error(`${packKey}: header entry ${JSON.stringify(e)} lies outside the pack's ${dataLength} data bytes`);
    }
  }
  return entries;
}

/** Reads a pack's header (its chunk list) from the whole pack's bytes. */
export async function readPackHeader(key: MasterKey, pack: Buffer, packKey = 'pack'): Promise<PackEntry[]> {
  const headerLength = parsePackTrailer(pack, packKey);
  const range = headerRange(pack.length, headerLength, packKey);
  return openPackHeader(key, pack.subarray(range.offset, range.offset + range.length), range.offset, packKey);
}

export function extractChunk(pack: Buffer, entry: Pick<PackEntry, 'offset' | 'length'>): Buffer {
  return pack.subarray(entry.offset, entry.offset + entry.length);
}
