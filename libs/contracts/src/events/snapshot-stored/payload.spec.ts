import { describe, expect, it } from 'vitest';
import { validationProblems } from '../../validation-problems';
import { decodePackList, encodePackList, packListKey, SnapshotStored } from './payload';

describe('snapshot.stored', () => {
  it('names the pack list object, not every pack, so any size of snapshot fits in a message', () => {
    const keys = Array.from({ length: 60_000 }, (_, i) => `data/${(i % 256).toString(16).padStart(2, '0')}/${i.toString(16).padStart(64, '0')}`);
    expect(decodePackList(encodePackList(keys))).toEqual(keys);
    expect(decodePackList(encodePackList([]))).toEqual([]);
    expect(packListKey('a'.repeat(64))).toBe(`packlists/${'a'.repeat(64)}`);
  });

  it('refuses a pack list key elsewhere in the bucket', () => {
    const payload = {
      jobId: '3b241101-e2bb-4255-8caf-4136c566a962', snapshotId: 'a'.repeat(64), manifestKey: `snapshots/${'a'.repeat(64)}`, time: new Date().toISOString(),
      source: { kind: 'stream', name: 'x' }, stats: { files: 1, dirs: 1, bytesRead: 1, bytesNew: 1, bytesStored: 1, chunks: 1, newChunks: 1, dedupeRatio: 1, compressionRatio: 1, durationMs: 1, throughputBytesPerSec: 1 },
      packListKey: 'keys/secret', packCount: 1,
    };
    expect(validationProblems(SnapshotStored, payload).problems.join('; ')).toMatch(/packListKey must be packlists\/<snapshot id>/);
    expect(validationProblems(SnapshotStored, { ...payload, packListKey: packListKey('a'.repeat(64)) }).problems).toEqual([]);
  });
});
