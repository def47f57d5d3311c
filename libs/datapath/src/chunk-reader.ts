import { MasterKey } from './keys';
import { CorruptChunkError, open as openChunk } from './sealer';

export interface ChunkLocation {
  packKey: string;
  offset: number;
  length: number;
}

/** Where chunks are read from: the chunk index and the pack store. */
export interface ChunkSource {
  /** Pack location of each chunk id (hex); ids missing from the result are not in the repository. */
  locate(ids: string[]): Promise<Map<string, ChunkLocation>>;
  /** A whole pack. */
  readPack(packKey: string): Promise<Buffer>;
  /**
   * Optional: bytes [offset, offset + length) of a pack (an HTTP range GET). When present, a file's
   * chunks that lie next to each other in a pack (the usual case: a file's new chunks are packed in
   * order) are fetched with one request per run instead of whole packs.
   */
  readRange?(packKey: string, offset: number, length: number): Promise<Buffer>;
}

/** Ids per locate call: the index answers batches of this size. */
export const LOCATE_BATCH = 10_000;

/** Locations of any number of ids, asked for in batches. */
export async function locateAll(source: ChunkSource, ids: Iterable<string>): Promise<Map<string, ChunkLocation>> {
  const unique = [...new Set(ids)];
  const all = new Map<string, ChunkLocation>();
  for (let i = 0; i < unique.length; i += LOCATE_BATCH) {
    for (const [id, where] of await source.locate(unique.slice(i, i + LOCATE_BATCH))) all.set(id, where);
  }
  return all;
}

/** Ranged reads are merged across gaps up to this size (fewer requests beat a few wasted bytes). */
const RANGE_GAP = 256 * 1024;
/** And are at most this long, so a read never holds much more than it needs. */
const RANGE_MAX = 16 * 1024 * 1024;

/** Consecutive chunks of one file that sit close together in one pack: fetched with one request. */
export interface Run {
  packKey: string;
  offset: number;
  end: number;
  chunks: Array<{ id: string; at: ChunkLocation }>;
}

/** Groups a chunk list into runs (by pack, adjacent offsets). */
export function planRuns(ids: string[], locations: Map<string, ChunkLocation>): Run[] {
  const runs: Run[] = [];
  for (const id of ids) {
    const at = locations.get(id);
    if (!at) throw new Error(`chunk ${id} is missing from the repository index`);
    const last = runs[runs.length - 1];
    const end = at.offset + at.length;
    if (last && last.packKey === at.packKey && at.offset >= last.offset && at.offset - last.end <= RANGE_GAP && Math.max(end, last.end) - last.offset <= RANGE_MAX) {
      last.chunks.push({ id, at });
      last.end = Math.max(last.end, end);
    } else {
      runs.push({ packKey: at.packKey, offset: at.offset, end, chunks: [{ id, at }] });
    }
  }
  return runs;
}

/** Chunks decoded ahead of the one being consumed. */
const DECODE_AHEAD = 4;

/** LRU of whole packs: chunk lists are read in chunk order, which is pack order, so a small cache serves most reads. */
class PackCache {
  private readonly packs = new Map<string, Promise<Buffer>>();
  constructor(private readonly source: ChunkSource, private readonly capacity = 4) {}

  get(key: string): Promise<Buffer> {
    let pack = this.packs.get(key);
    if (pack) {
      this.packs.delete(key);
    } else {
      pack = this.source.readPack(key);
      pack.catch(() => this.packs.delete(key));
    }
    this.packs.set(key, pack);
    while (this.packs.size > this.capacity) this.packs.delete(this.packs.keys().next().value!);
    return pack;
  }
}

/**
 * Reads chunk lists (a file's content, a directory's listing) back out of the repository, verifying
 * every chunk against its id: decrypted, decompressed and compared, a damaged chunk is an error
 * naming it, never wrong bytes.
 */
export class ChunkReader {
  private readonly packs: PackCache;
  /** Packs to read whole (through the cache) even with ranged reads: many small files come from each. */
  private readonly wholePacks = new Set<string>();

  constructor(private readonly key: MasterKey, readonly source: ChunkSource) {
    this.packs = new PackCache(source);
  }

  /**
   * Reads these packs whole from now on: a directory of small files takes one request per pack
   * instead of one per file (1,000 files of 4 KiB: one 4 MiB GET, not 1,000 ranged ones). The
   * cache holds four packs, so memory stays at a few tens of MiB.
   */
  preferWholePacks(packKeys: Iterable<string>): void {
    this.wholePacks.clear();
    for (const key of packKeys) this.wholePacks.add(key);
  }

  /**
   * The chunks in order, decoded up to DECODE_AHEAD at a time: decompression runs on the thread
   * pool, so decoding ahead keeps both cores busy while the previous chunk is consumed. With
   * ranged reads, each run of neighbouring chunks is one request; otherwise whole packs come from
   * a small LRU.
   */
  async *chunks(ids: string[], locations: Map<string, ChunkLocation>): AsyncGenerator<Buffer> {
    const runs = planRuns(ids, locations);
    const bytes = new Map<Run, Promise<Buffer>>();
    const runBytes = (run: Run): Promise<Buffer> => {
      let loading = bytes.get(run);
      if (!loading) {
        loading = this.source.readRange && !this.wholePacks.has(run.packKey)
          ? this.source.readRange(run.packKey, run.offset, run.end - run.offset).then((b) => {
            if (b.length !== run.end - run.offset) throw new Error(`pack ${run.packKey}: asked for ${run.end - run.offset} bytes at ${run.offset}, got ${b.length}`);
            return b;
          })
          : this.packs.get(run.packKey).then((pack) => pack.subarray(run.offset, run.end));
        loading.catch(() => undefined);
        bytes.set(run, loading);
      }
      return loading;
    };
    const order = runs.flatMap((run) => run.chunks.map((c) => ({ run, ...c })));
    const pending: Array<Promise<Buffer>> = [];
    let next = 0;
    const fill = () => {
      while (next < order.length && pending.length < DECODE_AHEAD) {
        const { run, id, at } = order[next++];
        if (next >= 2 && order[next - 2].run !== run) bytes.delete(order[next - 2].run); // a finished run's bytes can go
        const loading = runBytes(run)
          .then((b) => openChunk(this.key, Buffer.from(id, 'hex'), b.subarray(at.offset - run.offset, at.offset - run.offset + at.length)))
          .catch((error: unknown) => { throw error instanceof CorruptChunkError && !error.packKey ? new CorruptChunkError(id, error.reason, run.packKey) : error; }); // the pack is what to look at
        loading.catch(() => undefined); // awaited in order below; this only silences early rejections
        pending.push(loading);
      }
    };
    fill();
    while (pending.length > 0) {
      const data = await pending.shift()!;
      fill();
      yield data;
    }
  }

  /** A whole chunk list as one buffer (a directory listing: small, needed whole). */
  async readAll(ids: string[], locations?: Map<string, ChunkLocation>): Promise<Buffer> {
    const where = locations && ids.every((id) => locations.has(id)) ? locations : await locateAll(this.source, ids);
    const parts: Buffer[] = [];
    for await (const part of this.chunks(ids, where)) parts.push(part);
    return Buffer.concat(parts);
  }
}
