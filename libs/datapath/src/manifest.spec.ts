import { describe, expect, it } from 'vitest';
import { createKeyFile } from './keys';
import { createManifest, decodeManifest, encodeManifest, manifestKey, normalizeSnapshotPath, sortEntries, TreeEntry } from './manifest';
import { sealObject } from './sealer';

const { masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
const id = (c: string) => c.repeat(64);
const base = { mode: 0o644, mtimeNs: '1700000000123456789', uid: 1000, gid: 1000 };
const root: TreeEntry = { ...base, path: '/', type: 'dir', mode: 0o755, tree: [id('e')] };

const manifest = createManifest({ snapshotId: id('9'), source: { kind: 'directory', path: '/srv/data' }, root, hostname: 'host-1', time: new Date('2024-01-02T03:04:05Z') });

describe('snapshot manifests', () => {
  it('encode sealed and decode to the same manifest: a root whose tree holds the rest', async () => {
    const sealed = await encodeManifest(masterKey, manifest);
    expect(sealed.toString('latin1')).not.toContain('/srv/data'); // encrypted
    const decoded = await decodeManifest(masterKey, manifest.snapshotId, sealed);
    expect(decoded).toEqual(manifest);
    expect(decoded).toMatchObject({ version: 2, time: '2024-01-02T03:04:05.000Z', hostname: 'host-1', root: { tree: [id('e')] } });
    expect(sealed.length).toBeLessThan(1000); // the same at any size of tree
  });

  it('are bound to their snapshot id: one cannot be passed off as another', async () => {
    const sealed = await encodeManifest(masterKey, manifest);
    await expect(decodeManifest(masterKey, id('8'), sealed)).rejects.toThrow(/authentication failed/);
  });

  it('describe every source kind', async () => {
    for (const source of [{ kind: 'stream', name: 'db.dump' }, { kind: 'postgres', connection: 'postgres://db/app' }] as const) {
      const m = createManifest({ snapshotId: id('7'), source, root });
      expect((await decodeManifest(masterKey, m.snapshotId, await encodeManifest(masterKey, m))).source).toEqual(source);
    }
  });

  it('read version 1 manifests (the tree inline), taking the root from their entries', async () => {
    const entries: TreeEntry[] = [{ ...base, path: '/', type: 'dir' }, { ...base, path: '/a', type: 'file', size: 1, chunks: [id('a')] }];
    const v1 = { version: 1, snapshotId: id('6'), time: '2020-01-01T00:00:00.000Z', hostname: 'h', source: { kind: 'directory', path: '/x' }, entries };
    const decoded = await decodeManifest(masterKey, id('6'), await sealObject(masterKey, `arca-manifest:${id('6')}`, v1));
    expect(decoded.root).toEqual(entries[0]);
    expect(decoded.entries).toEqual(entries);
  });

  it('refuse a manifest without a root tree, or of an unknown version', async () => {
    const seal = (value: object) => sealObject(masterKey, `arca-manifest:${id('5')}`, value);
    await expect(decodeManifest(masterKey, id('5'), await seal({ ...manifest, root: { ...root, tree: undefined } }))).rejects.toThrow(/no root tree/);
    await expect(decodeManifest(masterKey, id('5'), await seal({ ...manifest, version: 3 }))).rejects.toThrow(/unsupported manifest version 3/);
  });

  it('name paths one way and sort parents before children', () => {
    expect(manifestKey(id('9'))).toBe(`snapshots/${id('9')}`);
    expect(['/', '', '//a//b/', 'a'].map(normalizeSnapshotPath)).toEqual(['/', '/', '/a//b', '/a']);
    const entries = ['/dir/x', '/empty-dir', '/dir', '/', '/a.bin'].map((path) => ({ ...base, path, type: 'file' as const }));
    expect(sortEntries(entries).map((e) => e.path)).toEqual(['/', '/a.bin', '/dir', '/dir/x', '/empty-dir']);
  });
});
