import { UNREFERENCED_LISTED } from '@arca/contracts';
import { describe, expect, it } from 'vitest';
import { unreferencedPacks } from './check.runner';

describe('packs no snapshot references', () => {
  it('are counted with their bytes, named in order up to the listed maximum', () => {
    const sizes = new Map(Array.from({ length: UNREFERENCED_LISTED + 5 }, (_, i) => [`data/00/${String(i).padStart(64, '0')}`, 10] as [string, number]));
    sizes.set('data/ff/kept', 1000);
    const report = unreferencedPacks(sizes, new Set(['data/ff/kept']));
    expect(report.count).toBe(UNREFERENCED_LISTED + 5);
    expect(report.bytes).toBe((UNREFERENCED_LISTED + 5) * 10);
    expect(report.keys).toHaveLength(UNREFERENCED_LISTED);
    expect(report.keys[0]).toBe(`data/00/${'0'.repeat(64)}`);
    expect(unreferencedPacks(new Map([['a', 1]]), new Set(['a']))).toEqual({ count: 0, bytes: 0, keys: [] });
  });
});
