import { createHash } from 'node:crypto';
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
  /** data/<2 hex>/<sha-256 of the pack bytes>: content-addressed, so a re-upload is harmless. */
  key: string;
  bytes: Buffer;
  entries: PackEntry[];
}

const MAGIC = Buffer.from('ARP1');
const TRAILER = 8; // uint32 header length + magic

/** 16 MiB: few objects per GB, cheap whole-pack reads on restore, and far below the 64 MiB single-PUT limit. */
export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

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
    const digest = createHash('sha256').update(bytes).digest('hex');
    return { key: `data/${digest.slice(0, 2)}/${digest}`, bytes, entries };
  }
}

/** Reads a pack's header (its chunk list) from the whole pack's bytes. */
export async function readPackHeader(key: MasterKey, pack: Buffer, packKey = 'pack'): Promise<PackEntry[]> {
  if (pack.length < TRAILER || !pack.subarray(pack.length - 4).equals(MAGIC)) throw new Error(`${packKey}: not an Arca pack (bad trailer)`);
  const headerLength = pack.readUInt32BE(pack.length - TRAILER);
  if (headerLength > pack.length - TRAILER) throw new Error(`${packKey}: header length ${headerLength} exceeds the pack`);
  return openObject<PackEntry[]>(key, 'arca-pack-header', pack.subarray(pack.length - TRAILER - headerLength, pack.length - TRAILER));
}

export function extractChunk(pack: Buffer, entry: Pick<PackEntry, 'offset' | 'length'>): Buffer {
  return pack.subarray(entry.offset, entry.offset + entry.length);
}
