import { chunkId } from './hasher';
import { MasterKey } from './keys';
import { DEFAULT_PACK_SIZE, FinishedPack, MAX_PACK_CHUNKS, PackWriter, validatePackSize } from './pack';
import { SealPool } from './seal-pool';
import { seal } from './sealer';

/** A batched dedupe lookup's answer. */
export interface ChunkLookup {
  /** The (hex) ids the repository does not hold yet. */
  fresh: Set<string>;
  /** The packs holding the others: a snapshot references them, so replication must copy them. */
  packs: Set<string>;
}

/** What the archiver needs from the repository: the global dedupe index and the pack store. */
export interface ChunkRepository {
  /** Which of these chunk ids the repository lacks, and where it holds the rest. Called in batches. */
  lookup(ids: Buffer[]): Promise<ChunkLookup>;
  /** Stores a finished pack and records its chunks in the index; resolves when both are durable. */
  storePack(pack: FinishedPack): Promise<void>;
}

export interface SinkCounters {
  chunks: number;
  newChunks: number;
  bytesNew: number;
  bytesStored: number;
  /** Packs this job wrote. */
  packKeys: string[];
  /** Packs holding chunks this job took that the repository already had. */
  knownPacks: Set<string>;
}

interface Pending {
  id: Buffer;
  data: Buffer;
}

/**
 * A dedupe lookup goes out when its batch holds LOOKUP_BATCH_BYTES of chunks (32 chunks of 1 MiB:
 * one round trip per ~32 MiB) or LOOKUP_BATCH_IDS ids (a directory of small files: one round trip
 * per thousand files, not per 32), whichever comes first.
 */
const LOOKUP_BATCH_BYTES = 32 * 1024 * 1024;
const LOOKUP_BATCH_IDS = 1024;
/**
 * Batches being looked up and sealed at once. Bytes in flight bound memory for large chunks; this
 * bounds requests (and per-chunk state) for small ones.
 */
const MAX_BATCHES_IN_FLIGHT = 4;
/**
 * Ids a job remembers having taken, per generation; two generations are kept, so memory stays
 * near 2 × 262,144 ids (~50 MB) however many chunks a backup has. A chunk taken longer ago than
 * that is looked up again, and the index answers (at worst, one racing copy is stored twice).
 */
const SEEN_GENERATION = 262_144;
/** Chunks of one batch sealed at once (compression runs on libuv's four threads). */
const SEALS_AT_ONCE = 8;
/** Bytes of chunks taken but not yet stored, by default: the pipeline's memory bound. */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 96 * 1024 * 1024;

/** `work` over `items`, at most `limit` running at once, results in the items' order. */
async function inOrderAtMost<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The back half of the backup pipeline: batched dedupe lookups, parallel sealing, packing and
 * bounded uploads. `add` applies backpressure (it waits while too many bytes are in flight), so
 * memory stays bounded however fast the source reads.
 */
export class ChunkSink {
  readonly counters: SinkCounters = { chunks: 0, newChunks: 0, bytesNew: 0, bytesStored: 0, packKeys: [], knownPacks: new Set() };
  private batch: Pending[] = [];
  private batchBytes = 0;
  /** Ids this job has taken (two generations, see SEEN_GENERATION): a repeat is not looked up again. */
  private seen = new Set<string>();
  private seenBefore = new Set<string>();
  private readonly writer = new PackWriter();
  private inFlightBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly uploads = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly key: MasterKey,
    private readonly repository: ChunkRepository,
    private readonly options: { packSize?: number; maxInFlightBytes?: number; maxUploads?: number; compressionLevel?: number; sealPool?: SealPool } = {},
  ) {
    if (options.packSize !== undefined) validatePackSize(options.packSize);
  }

  /** Whether this job has already taken the chunk (hex id), stored or on its way. */
  holds(hexId: string): boolean {
    return this.seen.has(hexId) || this.seenBefore.has(hexId);
  }

  /** Hashes a chunk; returns its id (hex). Waits when the pipeline is full. */
  async add(data: Buffer): Promise<string> {
    if (this.failure) throw this.failure;
    const id = chunkId(this.key.idKey, data);
    this.counters.chunks++;
    const hex = id.toString('hex');
    if (this.holds(hex)) return hex;
    if (this.seen.size >= SEEN_GENERATION) {
      this.seenBefore = this.seen;
      this.seen = new Set();
    }
    this.seen.add(hex);
    this.batch.push({ id, data });
    this.batchBytes += data.length;
    this.inFlightBytes += data.length;
    const maxBytes = this.options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
    // A full batch goes out, and so does a partial one when the bytes it holds are all the room there is.
    if (this.batch.length >= LOOKUP_BATCH_IDS || this.batchBytes >= LOOKUP_BATCH_BYTES || this.inFlightBytes > maxBytes) this.dispatch();
    while ((this.inFlightBytes > maxBytes || this.inFlight.size >= MAX_BATCHES_IN_FLIGHT) && this.inFlight.size > 0) {
      await Promise.race(this.inFlight);
      if (this.failure) throw this.failure;
    }
    return hex;
  }

  private dispatch(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    const work = this.process(batch)
      .catch((error) => { this.failure ??= error; })
      .finally(() => {
        this.inFlight.delete(work);
        this.inFlightBytes -= batch.reduce((n, p) => n + p.data.length, 0);
      });
    this.inFlight.add(work);
  }

  private async process(batch: Pending[]): Promise<void> {
    const { fresh, packs } = await this.repository.lookup(batch.map((p) => p.id));
    for (const pack of packs) this.counters.knownPacks.add(pack);
    const toSeal = batch.filter((p) => fresh.has(p.id.toString('hex')));
    const sealOne = (p: Pending) => (this.options.sealPool ? this.options.sealPool.seal(this.key, p.id, p.data, { level: this.options.compressionLevel }) : seal(this.key, p.id, p.data, { level: this.options.compressionLevel }));
    // A few at a time, a new one as soon as one ends: the thread pool stays busy, and a batch of a
    // thousand small chunks never holds a thousand compressions at once.
    const sealed = (await inOrderAtMost(toSeal, SEALS_AT_ONCE, sealOne)).map((s, i) => ({ p: toSeal[i], s }));
    for (const { p, s } of sealed) {
      this.writer.add(p.id, s.parts, p.data.length, s.compressed);
      this.counters.newChunks++;
      this.counters.bytesNew += p.data.length;
      if (this.writer.size >= (this.options.packSize ?? DEFAULT_PACK_SIZE) || this.writer.count >= MAX_PACK_CHUNKS) await this.flushPack();
    }
  }

  private async flushPack(): Promise<void> {
    if (this.writer.count === 0) return;
    const pack = await this.writer.finish(this.key);
    while (this.uploads.size >= (this.options.maxUploads ?? 4)) await Promise.race(this.uploads);
    // Measured before the store call: a repository may hand the bytes to another thread (detaching them).
    const size = pack.bytes.length;
    const upload = this.repository.storePack(pack)
      .then(() => {
        this.counters.bytesStored += size;
        this.counters.packKeys.push(pack.key);
      })
      .catch((error) => { this.failure ??= error; })
      .finally(() => this.uploads.delete(upload));
    this.uploads.add(upload);
  }

  /** Waits for everything added so far to be stored; throws the first failure. */
  async finish(): Promise<SinkCounters> {
    this.dispatch();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    if (!this.failure) await this.flushPack();
    await Promise.all(this.uploads);
    if (this.failure) throw this.failure;
    return this.counters;
  }
}
