import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRatio, table } from './format';
import { CliError } from './gateway-client';
import { resolveSnapshotId } from './snapshot-ids';

describe('CLI formatting', () => {
  it('formats sizes, durations and ratios', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(30 * 1024 * 1024)).toBe('30.0 MiB');
    expect(formatDuration(59_000)).toBe('59s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
    expect(formatRatio(1.4567)).toBe('1.46×');
    expect(formatRatio(null)).toBe('-');
  });

  it('aligns table columns', () => {
    expect(table(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
  });
});

describe('snapshot id prefixes', () => {
  const snapshots = [{ id: 'abc123' + '0'.repeat(58) }, { id: 'abd456' + '0'.repeat(58) }];
  it('resolves a unique prefix and explains the others', () => {
    expect(resolveSnapshotId('abc', snapshots)).toBe(snapshots[0].id);
    expect(() => resolveSnapshotId('ab', snapshots)).toThrow(/matches 2 snapshots/);
    expect(() => resolveSnapshotId('ff', snapshots)).toThrow(CliError);
    expect(() => resolveSnapshotId('zz', snapshots)).toThrow(/not a snapshot id/);
  });
});
