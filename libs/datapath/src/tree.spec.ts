import { describe, expect, it } from 'vitest';
import { TreeEntry } from './manifest';
import { encodeRaw } from './raw-path';
import { decodeTree, encodeTree } from './tree';

const id = (c: string) => c.repeat(64);
const base = { mode: 0o644, mtimeNs: '1700000000123456789', uid: 1000, gid: 1000 };

describe('tree objects (directory listings)', () => {
  const children: TreeEntry[] = [
    { ...base, path: '/d/b.bin', type: 'file', size: 3, chunks: [id('a')], inode: 12, dev: 2049 },
    { ...base, path: '/d/a-dir', type: 'dir', mode: 0o700, tree: [id('b'), id('c')] },
    { ...base, path: '/d/ünï 日本 😀\ttab\nnewline "q"', type: 'symlink', target: '../b.bin' },
    { ...base, path: '/d/hard', type: 'hardlink', linkTo: '/d/b.bin' },
  ];

  it('encode names, not paths, the same bytes for the same directory in any order, and decode under any parent', () => {
    const bytes = encodeTree(children);
    expect(encodeTree([...children].reverse()).equals(bytes)).toBe(true);
    expect(bytes.toString()).not.toContain('"name":"/');
    const decoded = decodeTree(bytes, { path: '/d' });
    expect(decoded.map((e) => e.path)).toEqual(['/d/a-dir', '/d/b.bin', '/d/hard', '/d/ünï 日本 😀\ttab\nnewline "q"']);
    expect(decoded.find((e) => e.path === '/d/b.bin')).toEqual(children[0]);
    expect(decodeTree(bytes, { path: '/' }).map((e) => e.path)[0]).toBe('/a-dir');
    expect(encodeTree([]).length).toBeLessThan(30);
  });

  it('keep names that are not UTF-8 byte for byte, under raw parents too', () => {
    const raw = Buffer.from([0x2f, 0x63, 0x61, 0x66, 0xe9]); // "/caf\xE9"
    const bytes = encodeTree([{ ...base, path: '/caf\\xE9', rawPath: encodeRaw(raw), type: 'dir', tree: [id('d')] }]);
    const [dir] = decodeTree(bytes, { path: '/' });
    expect(dir).toMatchObject({ path: '/caf\\xE9', rawPath: encodeRaw(raw) });
    const [child] = decodeTree(encodeTree([{ ...base, path: '/caf\\xE9/x', type: 'file', size: 0, chunks: [] }]), dir);
    expect(Buffer.from(child.rawPath!, 'base64').equals(Buffer.concat([raw, Buffer.from('/x')]))).toBe(true);
  });

  it('refuse a forged listing: names that could leave the directory, unknown types, broken ids, other bytes', () => {
    const forged = (entry: object) => Buffer.from(JSON.stringify({ v: 1, entries: [{ ...base, type: 'file', ...entry }] }));
    for (const name of ['..', '.', '', 'a/b', 'nul\0']) {
      expect(() => decodeTree(forged({ name }), { path: '/d' })).toThrow(/the listing of \/d holds an entry named .* which is not a file name/);
    }
    expect(() => decodeTree(forged({ name: 'x', type: 'device' }), { path: '/d' })).toThrow(/unknown entry type/);
    expect(() => decodeTree(forged({ name: 'x', chunks: ['zz'] }), { path: '/d' })).toThrow(/is not a chunk id/);
    expect(() => decodeTree(Buffer.from('not json'), { path: '/d' })).toThrow(/not a tree object/);
    expect(() => decodeTree(Buffer.from('{"v":9,"entries":[]}'), { path: '/d' })).toThrow(/not a version 1 tree object/);
  });
});
