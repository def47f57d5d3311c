import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveProgress, Archiver } from './archiver';
import { entriesOf, inlineManifest, manifestOfResult } from './testing/snapshots';
import { TreeEntry } from './manifest';
import { FinishedPack } from './pack';
import { Restorer } from './restorer';
import { SMALL_CHUNKS, tempDirs, testMasterKey } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';
import { closeDataThreads, warmDataThread } from './data-thread';
import { WorkerArchiver, WorkerRestorer } from './threaded';

const masterKey = testMasterKey;
const small = SMALL_CHUNKS;
const temp = tempDirs('arca-threaded-');
afterAll(() => closeDataThreads());

function sourceTree(): string {
  const src = temp();
  const shared = randomBytes(300_000);
  mkdirSync(path.join(src, 'sub'));
  writeFileSync(path.join(src, 'a.bin'), Buffer.concat([shared, randomBytes(200_000)]));
  writeFileSync(path.join(src, 'sub', 'b.bin'), shared);
  writeFileSync(path.join(src, 'text.txt'), 'line\n'.repeat(50_000));
  writeFileSync(path.join(src, 'empty'), '');
  symlinkSync('a.bin', path.join(src, 'link'));
  return src;
}

describe('WorkerArchiver and WorkerRestorer', () => {
  it('backs up a directory on a thread into the calling thread\'s repository, as the in-thread archiver does', async () => {
    const src = sourceTree();
    const repo = new MemoryRepository();
    const progress: ArchiveProgress[] = [];
    const result = await new WorkerArchiver({ key: masterKey, repository: repo, chunker: small, progressIntervalMs: 0, onProgress: (p) => progress.push(p) }).archiveDirectory(src);
    expect(result.errors).toEqual([]);
    expect(result.packKeys.length).toBeGreaterThan(0);
    expect([...repo.packs.keys()].sort()).toEqual([...result.packKeys].sort());
    expect(progress.length).toBeGreaterThan(0);

    const sameRepo = new MemoryRepository();
    const same = await new Archiver({ key: masterKey, repository: sameRepo, chunker: small }).archiveDirectory(src);
    const listed = (r: { root: TreeEntry }, from: MemoryRepository) => entriesOf(masterKey, from, r).then((list) => list.map((e) => [e.path, e.type, e.size, e.chunks]));
    expect(await listed(result, repo)).toEqual(await listed(same, sameRepo));
    expect(result.stats.bytesRead).toBe(same.stats.bytesRead);
    expect(result.stats.bytesNew).toBe(same.stats.bytesNew);

    const manifest = manifestOfResult(result, 'a'.repeat(64));
    for (const restorer of [new Restorer(masterKey, repo), new WorkerRestorer(masterKey, repo)]) {
      const target = temp();
      const restored = await restorer.restore(manifest, target);
      expect(restored.failedFiles).toEqual([]);
      expect(restored.files).toBe(5);
      for (const name of ['a.bin', 'sub/b.bin', 'text.txt', 'empty']) expect(readFileSync(path.join(target, name)).equals(readFileSync(path.join(src, name)))).toBe(true);
    }

    // Again with the first as parent, on the same (kept) thread: nothing is read or stored again.
    const again = await new WorkerArchiver({ key: masterKey, repository: repo, chunker: small, parent: manifest }).archiveDirectory(src);
    expect(again.stats.bytesNew).toBe(0);
    expect(again.newPackKeys).toEqual([]);
    expect(again.packKeys.sort()).toEqual(result.packKeys.sort()); // it references the same packs
  });

  it('backs up a stream on a thread, pulling its bytes across as it chunks them: the same snapshot as on the calling thread', async () => {
    const data = Buffer.concat([randomBytes(3_000_000), Buffer.alloc(1_500_000, 7), randomBytes(700_001)]);
    // Pieces of odd sizes, some larger than one pull, as an upload or a pipe gives them.
    const pieces = (bytes: Buffer) => Readable.from((function* () {
      for (let at = 0, n = 0; at < bytes.length; n++) {
        const size = [65_536, 1, 2_500_000, 333][n % 4];
        yield bytes.subarray(at, at + size);
        at += size;
      }
    })());
    const repo = new MemoryRepository();
    const threaded = await new WorkerArchiver({ key: masterKey, repository: repo, chunker: small }).archiveStream('dump.sql', pieces(data));
    const inlineRepo = new MemoryRepository();
    const inline = await new Archiver({ key: masterKey, repository: inlineRepo, chunker: small }).archiveStream('dump.sql', pieces(data));
    expect(threaded.errors).toEqual([]);
    expect(threaded.stats.bytesRead).toBe(data.length);
    const fileOf = async (from: MemoryRepository, r: typeof threaded) => (await entriesOf(masterKey, from, r)).find((e) => e.path === '/dump.sql');
    const file = await fileOf(repo, threaded);
    expect(file).toMatchObject({ path: '/dump.sql', type: 'file', size: data.length });
    expect(file!.chunks).toEqual((await fileOf(inlineRepo, inline))!.chunks); // chunked alike, whatever pieces the pulls were cut into
    const target = temp();
    expect((await new WorkerRestorer(masterKey, repo).restore(manifestOfResult(threaded, 'b'.repeat(64)), target)).failedFiles).toEqual([]);
    expect(readFileSync(path.join(target, 'dump.sql')).equals(data)).toBe(true);
  });

  it('fails a stream backup with the stream\'s own error when the stream breaks off', async () => {
    const broken = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const stream = Readable.from((async function* () {
      yield randomBytes(200_000);
      throw broken;
    })());
    await expect(new WorkerArchiver({ key: masterKey, repository: new MemoryRepository(), chunker: small }).archiveStream('upload', stream)).rejects.toBe(broken);
  });

  it('fails the backup with the repository\'s own error, and the next backup still runs', async () => {
    const src = sourceTree();
    const failing = new MemoryRepository();
    failing.storePack = async (_pack: FinishedPack) => {
      throw new Error('object store refused the put: disk full');
    };
    await expect(new WorkerArchiver({ key: masterKey, repository: failing, chunker: small }).archiveDirectory(src)).rejects.toThrow('object store refused the put: disk full');
    const ok = await new WorkerArchiver({ key: masterKey, repository: new MemoryRepository(), chunker: small }).archiveDirectory(src);
    expect(ok.stats.files).toBe(5);
  });

  it('stops a backup when its signal aborts: nothing more is stored, and the next backup still runs', async () => {
    const repo = new MemoryRepository();
    const controller = new AbortController();
    let stores = 0;
    const store = repo.storePack.bind(repo);
    // The first pack upload hangs, as a stalled store would; the abort comes while the thread waits on it.
    repo.storePack = (pack) => (++stores === 1 ? (setTimeout(() => controller.abort('window closed'), 20), new Promise<void>(() => undefined)) : store(pack));
    const running = new WorkerArchiver({ key: masterKey, repository: repo, chunker: small, packSize: 64 * 1024 }).archiveDirectory(sourceTree(), { signal: controller.signal });
    await expect(running).rejects.toMatchObject({ name: 'AbortError', message: expect.stringMatching(/aborted: window closed/) });
    const storedAtAbort = stores;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stores).toBe(storedAtAbort);
    await expect(new WorkerArchiver({ key: masterKey, repository: new MemoryRepository(), chunker: small }).archiveDirectory(sourceTree(), { signal: new AbortController().signal })).resolves.toMatchObject({ errors: [] });
    const aborted = new AbortController();
    aborted.abort('too late');
    await expect(new WorkerArchiver({ key: masterKey, repository: repo, chunker: small }).archiveDirectory(sourceTree(), { signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('restores on a thread: a damaged chunk fails its file only, and a path escaping the target is refused', async () => {
    const src = sourceTree();
    const repo = new MemoryRepository();
    const result = await new WorkerArchiver({ key: masterKey, repository: repo, chunker: small }).archiveDirectory(src);
    const manifest = manifestOfResult(result, 'b'.repeat(64));
    const entries = await entriesOf(masterKey, repo, result);
    const text = entries.find((e) => e.path === '/text.txt')!;
    const where = repo.index.get(text.chunks![0])!;
    repo.packs.get(where.packKey)![where.offset + 40] ^= 0xff;
    const progress: unknown[] = [];
    const restored = await new WorkerRestorer(masterKey, repo, (p) => progress.push(p)).restore(manifest, temp());
    expect(restored.failedFiles).toEqual([{ path: '/text.txt', reason: expect.stringContaining(`chunk ${text.chunks![0]} is damaged`) }]);
    expect(restored.files).toBe(4);
    expect(progress.length).toBeGreaterThan(0);

    const escaping = inlineManifest({ snapshotId: 'c'.repeat(64), entries: [...entries, { ...text, path: '/../escaped.txt' }] });
    await expect(new WorkerRestorer(masterKey, repo).restore(escaping, temp())).rejects.toThrow(/refusing to restore "\/\.\.\/escaped\.txt"/);
  });

  it('says when the source is not there', async () => {
    await expect(new WorkerArchiver({ key: masterKey, repository: new MemoryRepository() }).archiveDirectory(path.join(temp(), 'gone'))).rejects.toThrow(/does not exist/);
  });
});

describe('data thread calls', () => {
  it('are served in the async context of the job that started the thread (traces follow them)', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const context = new AsyncLocalStorage<string>();
    const seen = new Set<string | undefined>();
    const repo = new MemoryRepository();
    const lookup = repo.lookup.bind(repo);
    repo.lookup = async (ids) => {
      seen.add(context.getStore());
      return lookup(ids);
    };
    warmDataThread(); // started outside the job's context, as a service's warm thread is
    await context.run('job-42', () => new WorkerArchiver({ key: masterKey, repository: repo, chunker: small }).archiveDirectory(sourceTree()));
    expect([...seen]).toEqual(['job-42']);
  });
});
