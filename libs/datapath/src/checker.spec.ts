import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Archiver } from './archiver';
import { checkRepository, ChunkReference, snapshotReferences } from './checker';
import { createKeyFile } from './keys';
import { Manifest, TreeEntry } from './manifest';
import { SnapshotReader } from './snapshot-reader';
import { MemoryRepository } from './testing/memory-repository';
import { entriesOf, treeManifest } from './testing/snapshots';

const { masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
const small = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };

async function repoWithSnapshots() {
  const repo = new MemoryRepository();
  const shared = randomBytes(300_000);
  const manifests: Manifest[] = [];
  const referenced = new Set<string>();
  for (const [n, extra] of [['1', 'first'], ['2', 'second']] as const) {
    const archiver = new Archiver({ key: masterKey, repository: repo, chunker: small, packSize: 64 * 1024 });
    const result = await archiver.archiveStream('data.bin', Readable.from([Buffer.concat([shared, Buffer.from(extra)])]));
    const entries: TreeEntry[] = [...(await entriesOf(masterKey, repo, result)), { path: '/alias', type: 'hardlink', linkTo: '/data.bin', mode: 0o644, mtimeNs: '0', uid: 0, gid: 0 }];
    for (const id of entries[1].chunks!) referenced.add(id);
    manifests.push(await treeManifest(masterKey, repo, { snapshotId: n.repeat(64), source: { kind: 'stream', name: 'data.bin' }, entries }));
  }
  /** What the snapshots reference, as a check reads it. */
  async function* references(): AsyncGenerator<ChunkReference> {
    for (const manifest of manifests) yield* snapshotReferences(new SnapshotReader(masterKey, repo), manifest, () => undefined);
  }
  const dataChunks = (await entriesOf(masterKey, repo, { root: manifests[0].root }))[2].chunks!;
  return { repo, manifests, references, referenced, dataChunks };
}

describe('checker', () => {
  it('passes a healthy repository, from pack keys or a stream of packs', async () => {
    const { repo, references } = await repoWithSnapshots();
    const byKeys = await checkRepository({ key: masterKey, references, packKeys: [...repo.packs.keys()], readPack: (k) => repo.readPack(k) });
    expect(byKeys).toMatchObject({ damaged: [], packsChecked: repo.packs.size, chunksChecked: repo.index.size, complete: true, bytesChecked: repo.storedBytes });
    const streamed = await checkRepository({ key: masterKey, references, packs: [...repo.packs].map(([key, bytes]) => ({ key, bytes })) });
    expect(streamed).toMatchObject({ damaged: [], packsChecked: repo.packs.size, chunksChecked: repo.index.size });
  });

  it('names a damaged chunk with every snapshot and file (hard links too) that references it', async () => {
    const { repo, references, dataChunks } = await repoWithSnapshots();
    const firstChunk = dataChunks[0]; // shared by both snapshots
    const where = repo.index.get(firstChunk)!;
    repo.packs.get(where.packKey)![where.offset + where.length - 3] ^= 0x01;
    const report = await checkRepository({ key: masterKey, references, packKeys: [...repo.packs.keys()], readPack: (k) => repo.readPack(k) });
    expect(report.damaged).toEqual([{
      chunkId: firstChunk, packKey: where.packKey, reason: expect.stringMatching(/authentication failed/),
      snapshots: ['1'.repeat(64), '2'.repeat(64)], files: ['/data.bin', '/alias'],
    }]);
  });

  it('reports the chunks of an unreadable pack (from the index) and chunks no pack holds', async () => {
    const { repo, references, referenced } = await repoWithSnapshots();
    const [lostKey, headerless] = [...repo.packs.keys()];
    const lostIds = [...repo.index].filter(([, w]) => w.packKey === lostKey).map(([id]) => id);
    const headerlessIds = [...repo.index].filter(([, w]) => w.packKey === headerless).map(([id]) => id);
    repo.packs.get(headerless)![repo.packs.get(headerless)!.length - 20] ^= 1; // inside the header
    const report = await checkRepository({
      key: masterKey, references, packKeys: [...repo.packs.keys()],
      readPack: (k) => (k === lostKey ? Promise.reject(new Error('NoSuchKey')) : repo.readPack(k)),
      indexedChunks: async (k) => [...repo.index].filter(([, w]) => w.packKey === k).map(([id]) => id),
    });
    const reasons = new Map(report.damaged.map((d) => [d.chunkId, d.reason]));
    for (const id of lostIds) expect(reasons.get(id)).toMatch(/pack unreadable: NoSuchKey/);
    for (const id of headerlessIds) expect(reasons.get(id)).toMatch(/pack header unreadable/);

    // without the index, the same chunks still surface: referenced by a snapshot, held by no readable pack
    const bare = await checkRepository({ key: masterKey, references, packs: [...repo.packs].filter(([k]) => k !== lostKey).map(([key, bytes]) => ({ key, bytes })) });
    const missing = bare.damaged.filter((d) => d.reason.startsWith('missing'));
    expect(missing.map((d) => d.chunkId).sort()).toEqual([...lostIds, ...headerlessIds].filter((id) => referenced.has(id)).sort());
    expect(missing.every((d) => d.files.includes('/data.bin') && d.packKey === '')).toBe(true);
  });

  it('reads only a sample of packs when asked, and then does not guess at missing chunks', async () => {
    const { repo, references } = await repoWithSnapshots();
    let reads = 0;
    const report = await checkRepository({ key: masterKey, references, percent: 10, packKeys: [...repo.packs.keys()], readPack: (k) => { reads++; return repo.readPack(k); } });
    expect(reads).toBe(Math.ceil(repo.packs.size / 10));
    expect(report.complete).toBe(false);
    expect(report.damaged).toEqual([]);
  });
});
