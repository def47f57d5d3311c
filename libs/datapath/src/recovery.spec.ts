import { describe, expect, it } from 'vitest';
import { TreeEntry } from './manifest';
import { PackEntry, PackWriter } from './pack';
import { HeaderChunkSource, packTenants, readPackHeaderRanged, RecoveredPack, snapshotChunkIds } from './recovery';
import { SnapshotReader } from './snapshot-reader';
import { testMasterKey } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';
import { treeManifest } from './testing/snapshots';

const base = { mode: 0o644, mtimeNs: '1700000000123456789', uid: 1000, gid: 1000 };
const id = (c: string) => c.repeat(64);
const entries: TreeEntry[] = [
  { ...base, path: '/', type: 'dir', mode: 0o755 },
  { ...base, path: '/a.bin', type: 'file', size: 3, chunks: [id('a'), id('b')] },
  { ...base, path: '/dir', type: 'dir' },
  { ...base, path: '/dir/deep.txt', type: 'file', size: 1, chunks: [id('c')] },
];

/** The packs of a memory repository as a recovery reads them: ranged reads of each header. */
async function recoverPacks(repo: MemoryRepository): Promise<RecoveredPack[]> {
  const out: RecoveredPack[] = [];
  for (const [key, bytes] of repo.packs) {
    const reads: number[] = [];
    const entries = await readPackHeaderRanged(testMasterKey, key, bytes.length, async (offset, length) => {
      reads.push(length);
      return bytes.subarray(offset, offset + length);
    });
    expect(reads).toHaveLength(2); // the trailer, then the header: never the whole pack
    out.push({ key, size: bytes.length, entries });
  }
  return out;
}

const memoryStore = (repo: MemoryRepository) => ({
  get: (key: string) => repo.readPack(key),
  getRange: async (key: string, offset: number, length: number) => (await repo.readPack(key)).subarray(offset, offset + length),
});

describe('recovering from the object store alone', () => {
  it('reads every pack header with two ranged reads and places each chunk where the pack says', async () => {
    const repo = new MemoryRepository();
    await treeManifest(testMasterKey, repo, { snapshotId: id('1'), entries });
    const packs = await recoverPacks(repo);
    const recovered = new Map(packs.flatMap((p) => p.entries.map((e) => [e.id, { packKey: p.key, offset: e.offset, length: e.length }])));
    expect(recovered).toEqual(repo.index);
  });

  it('refuses a pack whose header is under another key, or that is not a pack at all', async () => {
    const writer = new PackWriter();
    writer.add(Buffer.from(id('d'), 'hex'), Buffer.alloc(10, 1), 10, false);
    const other = (await import('./keys')).createKeyFile('other', { N: 1024, r: 8, p: 1 }).masterKey;
    const pack = await writer.finish(other);
    const read = async (offset: number, length: number) => pack.bytes.subarray(offset, offset + length);
    await expect(readPackHeaderRanged(testMasterKey, pack.key, pack.bytes.length, read)).rejects.toThrow(/header unreadable/);
    await expect(readPackHeaderRanged(testMasterKey, 'data/ab/x', 4, read)).rejects.toThrow(/too short/);
    await expect(readPackHeaderRanged(testMasterKey, 'data/ab/x', 100, async () => Buffer.alloc(8))).rejects.toThrow(/not an Arca pack/);
  });

  it("walks a snapshot's tree through the pack headers alone and yields every chunk it references", async () => {
    const repo = new MemoryRepository();
    const manifest = await treeManifest(testMasterKey, repo, { snapshotId: id('1'), entries });
    const source = new HeaderChunkSource(await recoverPacks(repo), memoryStore(repo));
    const unreadable: string[] = [];
    const ids = new Set<string>();
    for await (const chunk of snapshotChunkIds(new SnapshotReader(testMasterKey, source), manifest, (path) => unreadable.push(path))) ids.add(chunk);
    // the two listings (root, /dir) are tree chunks in the packs; a, b, c are the files' chunks
    expect(ids).toEqual(new Set([...repo.index.keys(), id('a'), id('b'), id('c')]));
    expect(unreadable).toEqual([]);
  });

  it('names a directory whose listing no pack holds, and goes on', async () => {
    const repo = new MemoryRepository();
    const manifest = await treeManifest(testMasterKey, repo, { snapshotId: id('1'), entries });
    const packs = await recoverPacks(repo);
    const rootTree = manifest.root.tree![0];
    // keep only the pack entry of the root's listing: /dir's listing is lost
    const kept = packs.map((p) => ({ ...p, entries: p.entries.filter((e) => e.id === rootTree) }));
    const unreadable: string[] = [];
    const ids: string[] = [];
    for await (const chunk of snapshotChunkIds(new SnapshotReader(testMasterKey, new HeaderChunkSource(kept, memoryStore(repo))), manifest, (path) => unreadable.push(path))) ids.push(chunk);
    expect(unreadable).toEqual(['/dir']);
    expect(ids).toContain(id('a'));
    expect(ids).not.toContain(id('c'));
  });

  it("groups a pack's chunks by the tenant whose snapshots reference them; an unreferenced chunk goes with its pack", () => {
    const entry = (c: string, offset: number): PackEntry => ({ id: id(c), offset, length: 1, rawLength: 1, compressed: false });
    const pack: RecoveredPack = { key: 'data/ab/x', size: 100, entries: [entry('1', 0), entry('2', 1), entry('3', 2), entry('4', 3)] };
    const tenants = new Map([[id('1'), 'acme'], [id('2'), 'acme'], [id('3'), 'default']]);
    expect(packTenants(pack, tenants, 'default')).toEqual([
      { tenant: 'acme', entries: [entry('1', 0), entry('2', 1), entry('4', 3)] },
      { tenant: 'default', entries: [entry('3', 2)] },
    ]);
    // a pack no snapshot references: all of it the fallback's
    expect(packTenants(pack, new Map(), 'default')).toEqual([{ tenant: 'default', entries: pack.entries }]);
    // a tie between two tenants is broken by name, so the answer does not depend on order
    expect(packTenants(pack, new Map([[id('1'), 'zeta'], [id('2'), 'acme']]), 'default')[0].tenant).toBe('acme');
  });
});
