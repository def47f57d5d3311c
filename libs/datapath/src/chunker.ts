/**
 * FastCDC content-defined chunking (Xia et al., 2016) with a 32-bit gear hash.
 *
 * A boundary is where the rolling hash's top bits are all zero, so boundaries depend only on the
 * bytes just before them: inserting data in the middle of a file moves the boundaries around the
 * edit and nowhere else, and the rest of the file deduplicates. Normalized chunking uses a harder
 * mask before the average size and an easier one after it, which narrows the size distribution.
 *
 * Defaults (min 512 KiB, avg 1 MiB, max 8 MiB) follow restic: large enough that per-chunk costs
 * (index rows, HMAC and AES calls, lookups) stay small, small enough that an edit re-stores ~1 MiB.
 */
export interface ChunkerParams {
  minSize: number;
  avgSize: number;
  maxSize: number;
}

export const DEFAULT_CHUNKER_PARAMS: ChunkerParams = { minSize: 512 * 1024, avgSize: 1024 * 1024, maxSize: 8 * 1024 * 1024 };

/** 256 pseudo-random 32-bit values from a fixed seed: chunk boundaries must never change between versions. */
export const GEAR = (() => {
  const table = new Int32Array(256);
  let state = 0x9e3779b9;
  for (let i = 0; i < 256; i++) {
    // splitmix32
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    table[i] = z ^ (z >>> 16);
  }
  return table;
})();

/** A mask of the `bits` highest bits: with a shift-left gear hash the high bits cover the most bytes. */
function topBits(bits: number): number {
  return bits >= 32 ? -1 : ~((1 << (32 - bits)) - 1);
}

export function validateParams(p: ChunkerParams): void {
  const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;
  if (!pow2(p.avgSize)) throw new Error(`chunker avgSize must be a power of two, got ${p.avgSize}`);
  if (!(p.minSize >= 64 && p.minSize < p.avgSize && p.avgSize < p.maxSize)) {
    throw new Error(`chunker sizes must satisfy 64 <= min < avg < max, got min ${p.minSize}, avg ${p.avgSize}, max ${p.maxSize}`);
  }
}

/**
 * Finds the length of the first chunk of `data[start, end)`; returns -1 when no boundary is found
 * and fewer than maxSize bytes are available (more data is needed).
 */
export function findBoundary(data: Uint8Array, start: number, end: number, p: ChunkerParams, maskS: number, maskL: number): number {
  const available = end - start;
  if (available <= p.minSize) return -1;
  const normal = start + Math.min(p.avgSize, available);
  const limit = start + Math.min(p.maxSize, available);
  let h = 0;
  let i = start + p.minSize;
  for (; i < normal; i++) {
    h = ((h << 1) + GEAR[data[i]]) | 0;
    if ((h & maskS) === 0) return i + 1 - start;
  }
  for (; i < limit; i++) {
    h = ((h << 1) + GEAR[data[i]]) | 0;
    if ((h & maskL) === 0) return i + 1 - start;
  }
  return available >= p.maxSize ? p.maxSize : -1;
}

/** Streaming chunker: push buffers as they are read, take complete chunks out. */
export class Chunker {
  private pending: Buffer = Buffer.alloc(0);
  private readonly maskS: number;
  private readonly maskL: number;

  constructor(private readonly params: ChunkerParams = DEFAULT_CHUNKER_PARAMS) {
    validateParams(params);
    const bits = Math.log2(params.avgSize);
    this.maskS = topBits(bits + 2);
    this.maskL = topBits(bits - 2);
  }

  /** Adds data (the chunker keeps it: do not reuse the buffer); returns the chunks now complete. */
  push(data: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const chunks: Buffer[] = [];
    let start = 0;
    for (;;) {
      const length = findBoundary(this.pending, start, this.pending.length, this.params, this.maskS, this.maskL);
      if (length < 0) break;
      chunks.push(this.pending.subarray(start, start + length));
      start += length;
    }
    this.pending = this.pending.subarray(start);
    return chunks;
  }

  /** The last chunk (whatever is left), at the end of the stream. */
  finish(): Buffer | null {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest.length > 0 ? rest : null;
  }
}

/** All chunks of a whole buffer (tests, small inputs). */
export function chunkBuffer(data: Buffer, params: ChunkerParams = DEFAULT_CHUNKER_PARAMS): Buffer[] {
  const chunker = new Chunker(params);
  const chunks = chunker.push(data);
  const last = chunker.finish();
  return last ? [...chunks, last] : chunks;
}
