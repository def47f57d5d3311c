import { describe, expect, it } from 'vitest';
import { PackUsage, planPrune } from './prune-plan';

const pack = (key: string, size: number, chunks: Array<[string, number]>, extra: Partial<PackUsage> = {}): PackUsage => ({
  key, size, state: 'live', chunkCount: chunks.length, chunks: chunks.map(([id, length]) => ({ id, length })), ...extra,
});

describe('planPrune', () => {
  it('condemns packs holding nothing live and keeps fully used ones', () => {
    const plan = planPrune([pack('a', 100, [['x', 100]]), pack('b', 100, [['y', 100]])], new Set(['x']), 0.05);
    expect(plan).toMatchObject({ condemn: ['b'], rewrite: [], rescue: [], bytesStored: 200, bytesReleased: 100, unusedAfter: 0 });
  });

  it('rewrites the most unused packs first until the unused share is within the limit', () => {
    const packs = [
      pack('mostly-unused', 1000, [['a', 100], ['b', 900]]),
      pack('half', 1000, [['c', 500], ['d', 500]]),
      pack('full', 8000, [['e', 8000]]),
    ];
    const plan = planPrune(packs, new Set(['a', 'c', 'e']), 0.06);
    // 1,400 unused of 10,000 stored; rewriting "mostly-unused" leaves 500 of ~9,100 (5.5%)
    expect(plan.rewrite.map((r) => r.key)).toEqual(['mostly-unused']);
    expect(plan.rewrite[0].keep).toEqual(['a']);
    expect(plan.unusedBefore).toBe(1400);
    expect(plan.unusedAfter).toBe(500);
    expect(planPrune(packs, new Set(['a', 'c', 'e']), 0).rewrite.map((r) => r.key)).toEqual(['mostly-unused', 'half']);
    expect(planPrune(packs, new Set(['a', 'c', 'e']), 1).rewrite).toEqual([]);
  });

  it('rewrites packs whose damaged copies check --repair made the index forget, whatever the limit', () => {
    const damaged = pack('repaired', 1000, [['a', 500]], { chunkCount: 2 });
    expect(planPrune([damaged], new Set(['a']), 1).rewrite.map((r) => r.key)).toEqual(['repaired']);
  });

  it('rescues a pack an earlier prune condemned when a live snapshot needs it, and keeps condemned ones that are still unneeded', () => {
    const plan = planPrune([pack('needed', 100, [['x', 100]], { state: 'condemned' }), pack('unneeded', 100, [['y', 100]], { state: 'condemned' })], new Set(['x']), 0.05);
    expect(plan.rescue).toEqual(['needed']);
    expect(plan.condemn).toEqual(['unneeded']);
  });

  it('leaves packs under an object lock alone, whatever they hold', () => {
    const plan = planPrune([pack('locked-unused', 100, [['y', 100]]), pack('locked-half', 100, [['x', 50], ['z', 50]])], new Set(['x']), 0, new Set(['locked-unused', 'locked-half']));
    expect(plan).toMatchObject({ condemn: [], rewrite: [], unusedAfter: 150 });
  });
});
