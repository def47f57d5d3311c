import type { DamagedChunk } from '@arca/contracts';
import { describe, expect, it } from 'vitest';
import { chunksToForget, repairSummary, splitSuperseded } from './check-repair';

const id = (c: string) => c.repeat(64);
const damaged: DamagedChunk[] = [
  { chunkId: id('a'), packKey: 'data/aa/p1', reason: 'authentication failed', snapshots: ['s1', 's2'], files: ['/victim.txt'] },
  { chunkId: id('b'), packKey: '', reason: 'missing: no pack holds this chunk', snapshots: ['s2'], files: ['/lost.bin'] },
  { chunkId: id('c'), packKey: '', reason: 'missing: no pack holds this chunk', snapshots: ['s3'], files: ['/never-indexed'] },
  { chunkId: '', packKey: '', reason: 'manifest unreadable: gone', snapshots: ['s4'], files: ['/'] },
];

describe('chunksToForget', () => {
  it('names the damaged pack, or where the index still places a missing chunk, and skips damage that is no chunk', () => {
    const indexed = new Map([[id('a'), 'data/bb/elsewhere'], [id('b'), 'data/cc/lost']]);
    expect(chunksToForget(damaged, indexed)).toEqual([
      { id: id('a'), packKey: 'data/aa/p1' }, // the damaged copy, not wherever else the index may place it
      { id: id('b'), packKey: 'data/cc/lost' },
    ]);
  });

  it('asks once for a chunk damaged in the same pack twice', () => {
    expect(chunksToForget([damaged[0], { ...damaged[0], snapshots: ['s9'] }], new Map())).toHaveLength(1);
  });
});

describe('repairSummary', () => {
  it('lists what was forgotten, what had nothing to forget, and every snapshot that stays damaged with its files', () => {
    const summary = repairSummary(damaged, [id('a'), id('b')]);
    expect(summary.forgotten).toEqual([id('a'), id('b')]);
    expect(summary.notIndexedThere).toEqual([id('c')]);
    expect(summary.damagedSnapshots).toEqual([
      { snapshotId: 's1', files: ['/victim.txt'] },
      { snapshotId: 's2', files: ['/lost.bin', '/victim.txt'] },
      { snapshotId: 's3', files: ['/never-indexed'] },
      { snapshotId: 's4', files: ['/'] },
    ]);
    expect(summary.note).toMatch(/^2 chunk\(s\) removed from the dedupe index: the next backup .* stores their data anew\. 4 existing snapshot\(s\) .* stay damaged/);
  });

  it('says so when there was nothing to repair', () => {
    expect(repairSummary([], [])).toEqual({ forgotten: [], notIndexedThere: [], damagedSnapshots: [], note: expect.stringMatching(/No chunk needed to be removed.*No snapshot references the damaged data\./) });
  });
});

describe('splitSuperseded', () => {
  const bad = (chunkId: string, packKey: string): DamagedChunk => ({ chunkId, packKey, reason: 'authentication failed', snapshots: ['s1'], files: ['/f'] });

  it('moves a damaged copy aside when the index places the chunk in another existing pack with no damage there', () => {
    const indexed = new Map([[id('a'), 'data/new'], [id('b'), 'data/old'], [id('c'), 'data/gone'], [id('d'), 'data/also-bad']]);
    const packs = new Set(['data/old', 'data/new', 'data/also-bad']);
    const result = splitSuperseded([bad(id('a'), 'data/old'), bad(id('b'), 'data/old'), bad(id('c'), 'data/old'), bad(id('d'), 'data/old'), bad(id('d'), 'data/also-bad'), damaged[1], damaged[3]], indexed, packs);
    expect(result.superseded).toEqual([{ chunkId: id('a'), packKey: 'data/old', reason: 'authentication failed', indexedIn: 'data/new' }]);
    expect(result.damaged.map((d) => `${d.chunkId.slice(0, 1)} ${d.packKey}`)).toEqual(['b data/old', 'c data/old', 'd data/old', 'd data/also-bad', 'b ', ' ']);
  });
});
