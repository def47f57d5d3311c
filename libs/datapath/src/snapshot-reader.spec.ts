import { describe, expect, it } from 'vitest';
import { Manifest, sortEntries, TreeEntry } from './manifest';
import { SnapshotReader } from './snapshot-reader';
import { testMasterKey } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';
import { allEntries, inlineManifest, treeManifest } from './testing/snapshots';

const base = { mode: 0o644, mtimeNs: '1700000000123456789', uid: 1000, gid: 1000 };
const id = (c: string) => c.repeat(64);
const entries: TreeEntry[] = [
  { ...base, path: '/', type: 'dir', mode: 0o755 },
  { ...base, path: '/a.bin', type: 'file', size: 3, chunks: [id('a'), id('b')] },
  { ...base, path: '/dir', type: 'dir', mode: 0o700 },
  { ...base, path: '/dir/sub', type: 'dir' },
  { ...base, path: '/dir/sub/deep.txt', type: 'file', size: 1, chunks: [id('c')] },
  { ...base, path: '/dir/link', type: 'symlink', target: '../a.bin' },
  { ...base, path: '/empty-dir', type: 'dir' },
];

const strip = (list: TreeEntry[] | undefined) => list?.map(({ tree: _tree, ...rest }) => rest);

for (const [kind, make] of [
  ['tree objects (version 2)', async (repo: MemoryRepository) => treeManifest(testMasterKey, repo, { snapshotId: id('1'), entries })],
  ['an inline tree (version 1)', async () => inlineManifest({ snapshotId: id('1'), entries })],
] as const) {
  describe(`reading a snapshot of ${kind}`, () => {
    const setup = async () => {
      const repo = new MemoryRepository();
      const manifest: Manifest = await make(repo);
      return { repo, manifest, reader: new SnapshotReader(testMasterKey, repo) };
    };

    it('lists a directory, or the one entry a path to anything else names', async () => {
      const { manifest, reader } = await setup();
      expect((await reader.list(manifest, '/'))?.map((e) => e.path)).toEqual(['/a.bin', '/dir', '/empty-dir']);
      expect((await reader.list(manifest, 'dir/'))?.map((e) => e.path)).toEqual(['/dir/link', '/dir/sub']);
      expect(strip(await reader.list(manifest, '/dir/sub/deep.txt'))).toEqual([entries[4]]);
      expect(await reader.list(manifest, '/empty-dir')).toEqual([]);
      expect(await reader.list(manifest, '/nope')).toBeUndefined();
      expect(await reader.list(manifest, '/a.bin/x')).toBeUndefined();
      expect((await reader.pathTo(manifest, '/dir/sub'))?.map((e) => e.path)).toEqual(['/', '/dir', '/dir/sub']);
    });

    it('walks every directory, parents first, with the locations of what each lists', async () => {
      const { repo, manifest, reader } = await setup();
      const visits = [];
      for await (const v of reader.walk(manifest)) visits.push(v);
      expect(visits.map((v) => v.dir.path)).toEqual(['/', '/dir', '/dir/sub', '/empty-dir']);
      // the file chunks were never stored: the index places them nowhere
      expect(visits[0].locations.has(id('a'))).toBe(false);
      if (manifest.version === 2) expect(visits[0].locations.size).toBe(2); // /dir's and /empty-dir's listings
      expect(strip(await allEntries(testMasterKey, repo, manifest))).toEqual(sortEntries(entries));
    });
  });
}

describe('reading a damaged snapshot', () => {
  it('reports a directory whose listing is gone and walks on, or throws without a handler', async () => {
    const repo = new MemoryRepository();
    const manifest = await treeManifest(testMasterKey, repo, { snapshotId: id('2'), entries });
    const dir = (await new SnapshotReader(testMasterKey, repo).find(manifest, '/dir'))!;
    repo.index.delete(dir.tree![0]);
    const reader = new SnapshotReader(testMasterKey, repo);
    const seen: string[] = [];
    const unreadable: string[] = [];
    for await (const v of reader.walk(manifest, manifest.root, { onUnreadable: (d, e) => unreadable.push(`${d.path}: ${e.message}`) })) seen.push(v.dir.path);
    expect(seen).toEqual(['/', '/empty-dir']);
    expect(unreadable).toEqual([`/dir: chunk ${dir.tree![0]} is missing from the repository index`]);
    await expect(async () => { for await (const _ of reader.walk(manifest)) { /* read on */ } }).rejects.toThrow(/missing from the repository index/);
  });
});
