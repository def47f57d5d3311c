import { describe, expect, it } from 'vitest';
import { reservoirSample } from './sample';

/** A seeded generator (mulberry32), so a draw can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('reservoirSample', () => {
  it('keeps everything when there are fewer items than asked for, and nothing when asked for none', async () => {
    expect(await reservoirSample([1, 2, 3], 10)).toEqual([1, 2, 3]);
    expect(await reservoirSample([1, 2, 3], 0)).toEqual([]);
  });

  it('draws k distinct items, each about equally often, holding only k', async () => {
    const counts = new Array(20).fill(0);
    const random = seeded(42);
    for (let run = 0; run < 4000; run++) {
      const drawn = await reservoirSample(Array.from({ length: 20 }, (_, i) => i), 5, random);
      expect(new Set(drawn).size).toBe(5);
      for (const i of drawn) counts[i]++;
    }
    // Each item is drawn with probability 5/20: 1,000 times of 4,000, give or take sampling noise.
    for (const n of counts) {
      expect(n).toBeGreaterThan(850);
      expect(n).toBeLessThan(1150);
    }
  });

  it('reads an async sequence once', async () => {
    let reads = 0;
    async function* items() {
      for (let i = 0; i < 1000; i++) {
        reads++;
        yield i;
      }
    }
    expect((await reservoirSample(items(), 3, seeded(7))).length).toBe(3);
    expect(reads).toBe(1000);
  });
});
