import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Archiver } from './archiver';
import { ChunkSource, planRuns } from './chunk-reader';
import { TreeEntry } from './manifest';
import { PathEscapeError, Restorer, restoreSize, safeTargetPath, TaskPool } from './restorer';
import { SnapshotReader } from './snapshot-reader';
import { SMALL_CHUNKS, tempDirs, testMasterKey } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';
import { entriesOf, inlineManifest, treeManifest } from './testing/snapshots';

const masterKey = testMasterKey;
const small = SMALL_CHUNKS;
const temp = tempDirs('arca-rest-');
const meta = { mode: 0o644, mtimeNs: '1600000000000000000', uid: 0, gid: 0 };

/** A snapshot of three files, a hard link and a symlink, its chunks and tree objects stored in `repo`. */
async function snapshot(repo = new MemoryRepository(), change: (e: TreeEntry) => TreeEntry = (e) => e) {
  const contents: Record<string, Buffer> = { '/a.bin': randomBytes(400_000), '/b.txt': Buffer.from('bee'), '/c.bin': randomBytes(200_000) };
  const entries: TreeEntry[] = [{ ...meta, path: '/', type: 'dir', mode: 0o755 }, { ...meta, path: '/sub', type: 'dir', mode: 0o755 }];
  for (const [name, data] of Object.entries(contents)) {
    const r = await new Archiver({ key: masterKey, repository: repo, chunker: small }).archiveStream(name.slice(1), Readable.from([data]));
    entries.push({ ...(await entriesOf(masterKey, repo, r))[1], ...meta, path: name === '/c.bin' ? '/sub/c.bin' : name });
  }
  entries.push({ ...meta, path: '/sub/link-to-a', type: 'hardlink', linkTo: '/a.bin' });
  entries.push({ ...meta, path: '/sub/sym', type: 'symlink', target: '../b.txt', mode: 0o777 });
  const manifest = await treeManifest(masterKey, repo, { snapshotId: 'a'.repeat(64), source: { kind: 'directory', path: '/x' }, entries: entries.map(change) });
  const chunksOf = (p: string) => entries.find((e) => e.path === p)!.chunks!;
  return { repo, manifest, contents, chunksOf };
}

/** The repository as a ranged store, counting requests. */
function ranged(repo: MemoryRepository) {
  const calls = { ranges: 0, packs: 0 };
  const source: ChunkSource = {
    locate: (ids) => repo.locate(ids),
    readPack: (k) => { calls.packs++; return repo.readPack(k); },
    readRange: async (k, offset, length) => { calls.ranges++; return (await repo.readPack(k)).subarray(offset, offset + length); },
  };
  return { source, calls };
}

describe('restorer', () => {
  it('restores chosen paths only; a hard link whose first link is left out gets the content', async () => {
    const { repo, manifest, contents } = await snapshot();
    const target = temp();
    const result = await new Restorer(masterKey, repo).restore(manifest, target, { paths: ['sub/link-to-a', '/b.txt'] });
    expect(result.failedFiles).toEqual([]);
    expect(readdirSync(target).sort()).toEqual(['b.txt', 'sub']);
    expect(readdirSync(path.join(target, 'sub'))).toEqual(['link-to-a']);
    expect(readFileSync(path.join(target, 'sub/link-to-a')).equals(contents['/a.bin'])).toBe(true);
    await expect(new Restorer(masterKey, repo).restore(manifest, target, { paths: ['/nope'] })).rejects.toThrow(/path \/nope is not in snapshot/);
    expect(result.bytesWritten).toBe(await restoreSize(new SnapshotReader(masterKey, repo), manifest, ['sub/link-to-a', '/b.txt'])); // the progress total matches
  });

  it('sizes a restore for its progress total: chosen paths only, each hard-linked file once', async () => {
    const { repo, manifest } = await snapshot();
    const reader = new SnapshotReader(masterKey, repo);
    expect(await restoreSize(reader, manifest)).toBe(400_000 + 3 + 200_000); // /sub/link-to-a is /a.bin again
    expect(await restoreSize(reader, manifest, ['/sub'])).toBe(200_000 + 400_000); // c.bin, and the link's content as a file
    expect(await restoreSize(reader, manifest, ['/b.txt'])).toBe(3);
  });

  it('reads neighbouring chunks with one ranged request per run, never whole packs', async () => {
    const { repo, manifest, contents, chunksOf } = await snapshot();
    const { source, calls } = ranged(repo);
    const target = temp();
    const result = await new Restorer(masterKey, source).restore(manifest, target);
    expect(result.failedFiles).toEqual([]);
    expect(calls.packs).toBe(0);
    expect(calls.ranges).toBe(3 + 2); // one per file (each file's chunks were packed in order), one per directory listing
    expect(chunksOf('/a.bin').length).toBeGreaterThan(2);
    expect(readFileSync(path.join(target, 'sub/c.bin')).equals(contents['/c.bin'])).toBe(true);
    expect(lstatSync(path.join(target, 'sub/link-to-a')).ino).toBe(lstatSync(path.join(target, 'a.bin')).ino);
  });

  it('plans runs by pack and adjacency', () => {
    const loc = (packKey: string, offset: number, length = 10) => ({ packKey, offset, length });
    const locations = new Map([['1', loc('p', 0)], ['2', loc('p', 10)], ['3', loc('q', 0)], ['4', loc('p', 20)], ['5', loc('p', 10_000_000)]]);
    expect(planRuns(['1', '2', '3', '4', '5'], locations).map((r) => [r.packKey, r.offset, r.end, r.chunks.length])).toEqual([
      ['p', 0, 20, 2], ['q', 0, 10, 1], ['p', 20, 30, 1], ['p', 10_000_000, 10_000_010, 1],
    ]);
    expect(planRuns(['1', '1', '2'], locations)).toHaveLength(1); // a repeated chunk stays in its run
    expect(() => planRuns(['9'], locations)).toThrow(/chunk 9 is missing from the repository index/);
  });

  it('fails only the files whose chunks are damaged or missing, and their hard links, restoring the rest', async () => {
    const { repo, manifest, contents, chunksOf } = await snapshot();
    const aChunk = chunksOf('/a.bin')[1];
    const where = repo.index.get(aChunk)!;
    repo.packs.get(where.packKey)![where.offset + 30] ^= 0x10;
    const cChunk = chunksOf('/sub/c.bin')[0];
    repo.index.delete(cChunk);
    const target = temp();
    const result = await new Restorer(masterKey, repo).restore(manifest, target);
    expect(result.failedFiles).toEqual([
      { path: '/a.bin', reason: expect.stringContaining(`chunk ${aChunk} is damaged`) },
      { path: '/sub/c.bin', reason: `chunk ${cChunk} is missing from the repository index` },
      { path: '/sub/link-to-a', reason: 'hard link to /a.bin, which could not be restored' },
    ]);
    expect(existsSync(path.join(target, 'a.bin'))).toBe(false); // no partial file left behind
    expect(result).toMatchObject({ files: 2, bytesWritten: 3 }); // b.txt and the symlink; not a.bin's first chunk
    expect(readFileSync(path.join(target, 'b.txt')).equals(contents['/b.txt'])).toBe(true);
    expect(readFileSync(path.join(target, 'sub/sym'), 'utf8')).toBe('bee');
  });

  it('streams one file (or a hard link to it), verified', async () => {
    const { repo, manifest, contents } = await snapshot();
    const out: Buffer[] = [];
    const sink = new Writable({ write(chunk, _e, cb) { out.push(chunk); cb(); } });
    expect(await new Restorer(masterKey, repo).restoreFileToStream(manifest, 'sub/link-to-a', sink)).toBe(400_000);
    expect(Buffer.concat(out).equals(contents['/a.bin'])).toBe(true);
    await expect(new Restorer(masterKey, repo).restoreFileToStream(manifest, '/sub', sink)).rejects.toThrow(/\/sub is not a file/);
  });

  it('restores owners when running as root', async () => {
    if (process.getuid?.() !== 0) return;
    const { repo, manifest: owned } = await snapshot(new MemoryRepository(), (e) => (e.path === '/b.txt' ? { ...e, uid: 1234, gid: 5678, mode: 0o640 } : e));
    const target = temp();
    await new Restorer(masterKey, repo).restore(owned, target);
    const st = lstatSync(path.join(target, 'b.txt'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 5678, 0o640]);
  });

  describe('refuses entries that would escape the target', () => {
    it('by their path, naming the entry', () => {
      const target = temp();
      for (const evil of ['/../escape', '/a/../../escape', '/a//b', '/a/./b', '//etc/passwd', 'relative', '/nul\0byte', '/..']) {
        expect(() => safeTargetPath(target, evil)).toThrow(PathEscapeError);
      }
      expect(() => safeTargetPath(target, '/a/../../escape')).toThrow(/refusing to restore "\/a\/\.\.\/\.\.\/escape"/);
      expect(safeTargetPath(target, '/ok/..name/...')).toBe(path.join(target, 'ok/..name/...'));
    });

    it('through a symlink already in the target, writing nothing outside', async () => {
      const { repo, manifest } = await snapshot();
      const target = temp();
      const outside = temp();
      symlinkSync(outside, path.join(target, 'sub')); // the snapshot's /sub is a directory; here it is a link out
      await expect(new Restorer(masterKey, repo).restore(manifest, target)).rejects.toThrow(PathEscapeError);
      await expect(new Restorer(masterKey, repo).restore(manifest, target)).rejects.toThrow(/refusing to restore "\/sub\/c\.bin"|refusing to restore "\/sub"/);
      expect(readdirSync(outside)).toEqual([]);
    });

    it('through a symlink restored from the snapshot itself', async () => {
      const target = temp();
      const outside = temp();
      mkdirSync(path.join(target, 'x'));
      const manifest = inlineManifest({
        snapshotId: 'b'.repeat(64), entries: [
          { ...meta, path: '/', type: 'dir' },
          { ...meta, path: '/sneaky', type: 'symlink', target: outside },
          { ...meta, path: '/sneaky/payload', type: 'file', size: 0, chunks: [] },
          { ...meta, path: '/sneaky/dir', type: 'dir' },
        ],
      });
      await new Restorer(masterKey, new MemoryRepository()).restore(manifest, target).catch(() => undefined);
      expect(readdirSync(outside)).toEqual([]);
    });
  });
});

describe('TaskPool', () => {
  it('runs at most `limit` tasks at once and every task once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const pool = new TaskPool(3);
    for (const n of [1, 2, 3, 4, 5, 6, 7]) {
      await pool.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5 * (n % 3)));
        done.push(n);
        running--;
      });
    }
    await pool.drain();
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts nothing after the first error and throws it once the running tasks settle', async () => {
    const started: number[] = [];
    let settled = 0;
    const pool = new TaskPool(2);
    const submit = async () => {
      for (const n of [1, 2, 3, 4, 5, 6]) {
        await pool.run(async () => {
          started.push(n);
          if (n === 2) throw new Error('boom at 2');
          await new Promise((resolve) => setTimeout(resolve, 10));
          settled++;
        });
      }
      await pool.drain();
    };
    await expect(submit()).rejects.toThrow('boom at 2');
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(1);
  });
});
