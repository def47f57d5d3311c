import { describe, expect, it } from 'vitest';
import { storedStats } from './snapshot.entity';

const stats = { files: 6, dirs: 3, bytesRead: 23_977_799, bytesStored: 1339, chunks: 0, newChunks: 0, durationMs: 35, throughputBytesPerSec: 1 };

describe('snapshot statistics read from the catalogue', () => {
  it('turn the old bytesRead / 1 and 0 ratios of a backup that stored nothing new into null', () => {
    expect(storedStats({ ...stats, bytesNew: 0, dedupeRatio: 23_977_799, compressionRatio: 0 })).toMatchObject({ dedupeRatio: null, compressionRatio: null, bytesRead: 23_977_799 });
  });

  it('leave every other row as stored', () => {
    const row = { ...stats, bytesNew: 1000, dedupeRatio: 23_977.799, compressionRatio: 1.2 };
    expect(storedStats(row)).toBe(row);
    expect(storedStats(null)).toBeNull();
  });
});
