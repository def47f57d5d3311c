import { describe, expect, it } from 'vitest';
import { createKeyFile } from './keys';
import {
  createManifest, decodeManifest, encodeManifest, findEntry, listDirectory, listPath, Manifest, manifestKey, manifestStats, referencedChunks,
  sortEntries, TreeEntry,
} from './manifest';

const { masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
const id = (c: string) => c.repeat(64);
const base = { mode: 0o644, mtimeNs: '1700000000123456789', uid: 1000, gid: 1000 };

const entries: TreeEntry[] = [
  { ...base, path: '/', type: 'dir', mode: 0o755 },
  { ...base, path: '/a.bin', type: 'file', size: 3_000_000, chunks: [id('a'), id('b'), id('a')], inode: 12, dev: 2049 },
  { ...base, path: '/empty', type: 'file', size: 0, chunks: [] },
  { ...base, path: '/dir', type: 'dir', mode: 0o700 },
  { ...base, path: '/dir/ünïcødé 日本 😀\ttab\nnewline "q"', type: 'file', size: 5, chunks: [id('c')] },
  { ...base, path: '/dir/link', type: 'symlink', target: '../a.bin', mode: 0o777 },
  { ...base, path: '/dir/hard', type: 'hardlink', linkTo: '/a.bin' },
  { ...base, path: '/empty-dir', type: 'dir' },
];

const manifest: Manifest = createManifest({
  snapshotId: id('9'), source: { kind: 'directory', path: '/srv/data' }, entries, hostname: 'host-1', time: new Date('2024-01-02T03:04:05Z'),
});

describe('snapshot manifests', () => {
  it('encode sealed and decode to the same tree, nanosecond mtimes and odd names intact', async () => {
    const sealed = await encodeManifest(masterKey, manifest);
    expect(sealed.toString('latin1')).not.toContain('a.bin'); // encrypted, names included
    const decoded = await decodeManifest(masterKey, manifest.snapshotId, sealed);
    expect(decoded).toEqual(manifest);
    expect(decoded.entries[1].mtimeNs).toBe('1700000000123456789');
    expect(decoded.time).toBe('2024-01-02T03:04:05.000Z');
    expect(decoded.hostname).toBe('host-1');
  });

  it('are bound to their snapshot id: one cannot be passed off as another', async () => {
    const sealed = await encodeManifest(masterKey, manifest);
    await expect(decodeManifest(masterKey, id('8'), sealed)).rejects.toThrow(/authentication failed/);
  });

  it('describe every source kind', async () => {
    for (const source of [{ kind: 'stream', name: 'db.dump' }, { kind: 'postgres', connection: 'postgres://db/app' }] as const) {
      const m = createManifest({ snapshotId: id('7'), source, entries: entries.slice(0, 2) });
      expect((await decodeManifest(masterKey, m.snapshotId, await encodeManifest(masterKey, m))).source).toEqual(source);
    }
  });

  it('count files, links, bytes and chunks', () => {
    expect(manifestStats(manifest)).toEqual({
      files: 3, emptyFiles: 1, dirs: 3, symlinks: 1, hardlinks: 1, totalBytes: 3_000_005, chunkRefs: 4, uniqueChunks: 3,
      largestFile: { path: '/a.bin', size: 3_000_000 },
    });
    expect(referencedChunks(manifest)).toEqual(new Set([id('a'), id('b'), id('c')]));
  });

  it('list directories and find entries', () => {
    expect(listDirectory(manifest, '/').map((e) => e.path)).toEqual(['/a.bin', '/empty', '/dir', '/empty-dir']);
    expect(listDirectory(manifest, '/dir/').map((e) => e.path)).toHaveLength(3);
    expect(findEntry(manifest, 'dir/link')?.target).toBe('../a.bin');
    expect(findEntry(manifest, '/nope')).toBeUndefined();
    // like ls: a directory lists its entries, anything else lists itself
    expect(listPath(manifest, '/dir')?.map((e) => e.path)).toEqual(listDirectory(manifest, '/dir').map((e) => e.path));
    expect(listPath(manifest, 'a.bin')?.map((e) => e.path)).toEqual(['/a.bin']);
    expect(listPath(manifest, '/dir/link')?.map((e) => e.type)).toEqual(['symlink']);
    expect(listPath(manifest, '/nope')).toBeUndefined();
    expect(manifestKey(id('9'))).toBe(`snapshots/${id('9')}`);
  });

  it('sort parents before children', () => {
    const shuffled = [entries[4], entries[7], entries[3], entries[0], entries[1]];
    expect(sortEntries(shuffled).map((e) => e.path)).toEqual(['/', '/a.bin', '/dir', entries[4].path, '/empty-dir']);
  });
});
