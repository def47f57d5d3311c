import { describe, expect, it } from 'vitest';
import { PackUsage, planPrune, planReseal } from './prune-plan';

const pack = (key: string, ids: string[], size = 1000): PackUsage => ({ key, size, state: 'live', chunkCount: ids.length, chunks: ids.map((id) => ({ id, length: 100 })) });

describe('a re-seal plan', () => {
  it('adds every live, referenced pack of an older generation to the rewrite, once; locked and newest-generation packs stay', () => {
    const packs = [pack('old-a', ['a1', 'a2']), pack('old-b', ['b1']), pack('old-dead', ['x']), pack('new', ['n1']), pack('old-locked', ['l1']), pack('unknown', ['u1'])];
    const referenced = new Set(['a1', 'a2', 'b1', 'n1', 'l1', 'u1']);
    const generations = new Map([['old-a', 1], ['old-b', 2], ['old-dead', 1], ['new', 3], ['old-locked', 1]]);
    const base = planPrune(packs, referenced, 1);
    expect(base.condemn).toEqual(['old-dead']);
    expect(base.rewrite).toEqual([]);
    const plan = planReseal(base, packs, referenced, generations, 3, new Set(['old-locked']));
    expect(plan.rewrite.map((r) => [r.key, r.keep])).toEqual([['old-a', ['a1', 'a2']], ['old-b', ['b1']]]);
    expect(plan.bytesRewritten).toBe(300);
    expect(plan.condemn).toEqual(['old-dead']);
    // nothing older than generation 1: nothing to reseal
    expect(planReseal(base, packs, referenced, generations, 1).rewrite).toEqual([]);
  });
});
