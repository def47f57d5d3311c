import { describe, expect, it } from 'vitest';
import { describeSource, formatBytes, formatDedupe, formatDuration, formatPercent, formatRate, formatRatio, formatTime, table } from './format';

describe('formatting', () => {
  it('formats sizes in binary units with sensible precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(30 * 1024 * 1024)).toBe('30.0 MiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5.00 TiB');
    expect(formatBytes(undefined)).toBe('-');
    expect(formatRate(2 * 1024 * 1024)).toBe('2.00 MiB/s');
    expect(formatRate(undefined)).toBe('-');
  });

  it('formats durations from milliseconds to days', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(59_000)).toBe('59s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
    expect(formatDuration(90_000_000)).toBe('1d01h');
    expect(formatDuration(-1)).toBe('-');
    expect(formatDuration(null)).toBe('-');
  });

  it('formats ratios, showing ∞ when a backup stored nothing new', () => {
    expect(formatRatio(1.4567)).toBe('1.46×');
    expect(formatRatio(12_345)).toBe('12k×');
    expect(formatRatio(null)).toBe('-');
    expect(formatRatio(0)).toBe('-');
    expect(formatDedupe({ bytesRead: 100, bytesNew: 0, dedupeRatio: null })).toBe('∞');
    expect(formatDedupe({ bytesRead: 0, bytesNew: 0, dedupeRatio: null })).toBe('-');
    expect(formatDedupe({ bytesRead: 300, bytesNew: 100 })).toBe('3.00×');
    expect(formatPercent(0.9876)).toBe('98.8%');
    expect(formatPercent(null)).toBe('-');
  });

  it('prints times as local wall-clock seconds', () => {
    const local = new Date(2026, 0, 2, 3, 4, 5);
    expect(formatTime(local.toISOString())).toBe('2026-01-02 03:04:05');
    expect(formatTime(undefined)).toBe('-');
    expect(formatTime('not a date')).toBe('-');
  });

  it('describes sources, never showing database credentials', () => {
    expect(describeSource({ kind: 'directory', path: '/home/ann' })).toBe('/home/ann');
    expect(describeSource({ kind: 'stream', name: 'db.dump' })).toBe('stream:db.dump');
    expect(describeSource({ kind: 'postgres', connection: 'postgres://ann:s3cret@db.local:5433/shop' })).toBe('postgres:db.local:5433/shop');
    expect(describeSource({ sourceKind: 'directory', sourceId: '/srv' })).toBe('/srv');
    expect(describeSource({ sourceKind: 'postgres', sourceId: 'db:5432/shop' })).toBe('postgres:db:5432/shop');
    expect(describeSource(null)).toBe('-');
  });

  it('aligns table columns without trailing spaces', () => {
    expect(table(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
  });
});
