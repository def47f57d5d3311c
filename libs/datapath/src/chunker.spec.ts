import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkBuffer, Chunker, DEFAULT_CHUNKER_PARAMS, findBoundary, GEAR } from './chunker';

const small = { minSize: 2 * 1024, avgSize: 8 * 1024, maxSize: 64 * 1024 };

function pseudoRandom(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Boundaries by the whole-buffer reference function: what the streaming chunker must reproduce. */
function referenceLengths(data: Buffer, p: typeof small): number[] {
  const bits = Math.log2(p.avgSize);
  const maskS = ~((1 << (32 - bits - 2)) - 1);
  const maskL = ~((1 << (32 - bits + 2)) - 1);
  const out: number[] = [];
  let start = 0;
  for (;;) {
    const n = findBoundary(data, start, data.length, p, maskS, maskL);
    if (n < 0) break;
    out.push(n);
    start += n;
  }
  if (start < data.length) out.push(data.length - start);
  return out;
}

describe('FastCDC chunker', () => {
  it('has a fixed gear table (boundaries must never change between versions)', () => {
    expect(GEAR.length).toBe(256);
    expect(new Set(GEAR).size).toBe(256);
    expect([GEAR[0], GEAR[1], GEAR[255]]).toEqual([1020716019, 454327756, -1506305628]);
  });

  it('streams to exactly the reference boundaries for any split of the input, returning views where it can', () => {
    const data = pseudoRandom(600_000, 5);
    const expected = referenceLengths(data, small);
    for (const piece of [1, 7, 1000, 4096, 65_536, 600_000]) {
      const chunker = new Chunker(small);
      const got: Buffer[] = [];
      for (let i = 0; i < data.length; i += piece) got.push(...chunker.push(data.subarray(i, i + piece)));
      const last = chunker.finish();
      if (last) got.push(last);
      expect(got.map((c) => c.length)).toEqual(expected);
      expect(Buffer.concat(got).equals(data)).toBe(true);
    }
    // one big push: every chunk is a view of the input, not a copy
    const views = chunkBuffer(data, small);
    expect(views.every((c) => c.buffer === data.buffer)).toBe(true);
  });

  it('cuts at maxSize when no boundary is found, and returns nothing for empty input', () => {
    const zeros = Buffer.alloc(300_000); // gear hash of a constant run never hits the mask here
    const lengths = chunkBuffer(zeros, small).map((c) => c.length);
    expect(lengths.slice(0, -1).every((n) => n === small.maxSize)).toBe(true);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(300_000);
    expect(chunkBuffer(Buffer.alloc(0), small)).toEqual([]);
    expect(chunkBuffer(Buffer.from('tiny'), small).map((c) => c.toString())).toEqual(['tiny']);
  });

  it('cuts the same data the same way, however it is fed', () => {
    const data = pseudoRandom(2_000_000, 7);
    const whole = chunkBuffer(data, small).map((c) => c.length);
    const chunker = new Chunker(small);
    const pieces: number[] = [];
    for (let i = 0; i < data.length; i += 12_345) pieces.push(...chunker.push(Buffer.from(data.subarray(i, i + 12_345))).map((c) => c.length));
    pieces.push(chunker.finish()!.length);
    expect(pieces).toEqual(whole);
    expect(whole.reduce((a, b) => a + b, 0)).toBe(data.length);
  });

  it('respects the size bounds and averages near the target', () => {
    const chunks = chunkBuffer(pseudoRandom(4_000_000, 3), small);
    for (const c of chunks.slice(0, -1)) {
      expect(c.length).toBeGreaterThanOrEqual(small.minSize);
      expect(c.length).toBeLessThanOrEqual(small.maxSize);
    }
    const average = 4_000_000 / chunks.length;
    expect(average).toBeGreaterThan(small.avgSize * 0.6);
    expect(average).toBeLessThan(small.avgSize * 1.6);
  });

  it('is shift-resistant: an insertion in the middle changes only the chunks around it', () => {
    const original = pseudoRandom(20 * 1024 * 1024, 11);
    const edited = Buffer.concat([original.subarray(0, 10 * 1024 * 1024), randomBytes(100), original.subarray(10 * 1024 * 1024)]);
    const before = new Set(chunkBuffer(original).map((c) => c.toString('base64')));
    const after = chunkBuffer(edited);
    const changed = after.filter((c) => !before.has(c.toString('base64')));
    expect(after.length).toBeGreaterThan(10);
    expect(changed.length).toBeLessThanOrEqual(2);
    expect(changed.reduce((n, c) => n + c.length, 0)).toBeLessThan(2 * DEFAULT_CHUNKER_PARAMS.maxSize);
  });

  it('rejects inconsistent bounds', () => {
    expect(() => new Chunker({ minSize: 10, avgSize: 1000, maxSize: 100 })).toThrow(/power of two/);
    expect(() => new Chunker({ minSize: 4096, avgSize: 1024, maxSize: 8192 })).toThrow(/64 <= min < avg < max/);
  });
});
