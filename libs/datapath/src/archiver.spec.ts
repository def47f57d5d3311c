import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { ArchiveProgress, Archiver } from './archiver';
import { entriesOf, manifestOfResult } from './testing/snapshots';
import { FinishedPack } from './pack';
import { SMALL_CHUNKS, tempDirs, testMasterKey } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';

// Reads of files named "unreadable*" fail, as an I/O error or a permission problem would (tests run as root).
const unreadable = (file: unknown) => path.basename(String(file)).startsWith('unreadable');
// A file named "rewritten*" is overwritten in place, same size, new mtime, as its read starts (after the archiver's stat).
const rewritten = (file: unknown) => path.basename(String(file)).startsWith('rewritten');
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    openSync: (file: string, ...rest: unknown[]) => {
      if (unreadable(file)) throw Object.assign(new Error(`EIO: i/o error, open '${file}'`), { code: 'EIO' });
      if (rewritten(file)) {
        actual.writeFileSync(file, Buffer.alloc(actual.statSync(file).size, 0x42));
        actual.utimesSync(file, 1_000_000_000, 1_000_000_000);
      }
      return (actual.openSync as (...a: unknown[]) => number)(file, ...rest);
    },
  };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: (file: string, ...rest: unknown[]) =>
      path.basename(String(file)).startsWith('unreadable') ? Promise.reject(Object.assign(new Error(`EIO: i/o error, open '${file}'`), { code: 'EIO' })) : (actual.open as (...a: unknown[]) => unknown)(file, ...rest),
  };
});

const masterKey = testMasterKey;
const small = SMALL_CHUNKS;
const temp = tempDirs('arca-arch-');

describe('archiver', () => {
  it('stores a chunk once per job however often it occurs, and reports dedupe and compression ratios', async () => {
    const src = temp();
    const random = randomBytes(1_000_000);
    writeFileSync(path.join(src, 'a.bin'), random);
    writeFileSync(path.join(src, 'b.bin'), random);
    writeFileSync(path.join(src, 'text.txt'), 'compressible line of text\n'.repeat(40_000));
    const repo = new MemoryRepository();
    const result = await new Archiver({ key: masterKey, repository: repo, chunker: small }).archiveDirectory(src);
    const { stats, errors, packKeys } = result;
    const entries = await entriesOf(masterKey, repo, result);
    expect(errors).toEqual([]);
    const a = entries.find((e) => e.path === '/a.bin')!;
    expect(entries.find((e) => e.path === '/b.bin')!.chunks).toEqual(a.chunks);
    expect(stats.files).toBe(3);
    expect(stats.dirs).toBe(1);
    expect(stats.bytesRead).toBe(2_000_000 + 1_040_000);
    expect(stats.bytesNew).toBe(1_000_000 + 1_040_000);
    expect(stats.newChunks).toBeLessThan(stats.chunks);
    expect(repo.index.size).toBe(stats.newChunks + 1); // and the root directory's listing
    expect(stats.dedupeRatio).toBeCloseTo(3_040_000 / 2_040_000, 2);
    expect(stats.compressionRatio).toBeGreaterThan(1.5);
    expect(stats.bytesStored).toBe(repo.storedBytes); // the data packs and the listing's own pack
    expect(packKeys.sort()).toEqual([...repo.packs.keys()].sort());
    expect(result.newPackKeys.sort()).toEqual(packKeys);
  });

  it('reports no ratios (null) when nothing new was stored, rather than bytesRead / 1 and 0', async () => {
    const src = temp();
    writeFileSync(path.join(src, 'a.txt'), 'text that compresses\n'.repeat(10_000));
    const repo = new MemoryRepository();
    await new Archiver({ key: masterKey, repository: repo, chunker: small }).archiveDirectory(src);
    const { stats } = await new Archiver({ key: masterKey, repository: repo, chunker: small }).archiveDirectory(src);
    expect(stats).toMatchObject({ bytesRead: 210_000, bytesNew: 0, bytesStored: 0, dedupeRatio: null, compressionRatio: null });
  });

  it('reports unreadable files and skipped sockets and FIFOs without failing the backup', async () => {
    const src = temp();
    writeFileSync(path.join(src, 'fine.txt'), 'fine');
    writeFileSync(path.join(src, 'unreadable.txt'), 'secret');
    execFileSync('mkfifo', [path.join(src, 'fifo')]);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(src, 'sock'), resolve));
    try {
      const repo = new MemoryRepository();
      const result = await new Archiver({ key: masterKey, repository: repo }).archiveDirectory(src);
      const { errors, stats } = result;
      expect((await entriesOf(masterKey, repo, result)).map((e) => e.path).sort()).toEqual(['/', '/fine.txt']);
      expect(result.errorCount).toBe(3);
      expect(errors).toEqual(expect.arrayContaining([
        { path: '/unreadable.txt', reason: expect.stringMatching(/cannot read: EIO/) },
        { path: '/fifo', reason: expect.stringMatching(/sockets, FIFOs and device files are skipped/) },
        { path: '/sock', reason: expect.stringMatching(/skipped/) },
      ]));
      expect(errors).toHaveLength(3);
      expect(stats.files).toBe(1);
    } finally {
      server.close();
    }
  });

  it('names a file overwritten with the same size while read (a second stat after the read)', async () => {
    const src = temp();
    writeFileSync(path.join(src, 'steady.txt'), 'steady');
    writeFileSync(path.join(src, 'rewritten.db'), randomBytes(5000));
    const result = await new Archiver({ key: masterKey, repository: new MemoryRepository() }).archiveDirectory(src);
    expect(result.errors).toEqual([{ path: '/rewritten.db', reason: expect.stringMatching(/changed while being read \(its mtime, ctime or inode differ after the read\)/) }]);
    expect(result.stats.files).toBe(2); // still backed up, as read
  });

  it('refuses a missing source or a file given as the source', async () => {
    const archiver = () => new Archiver({ key: masterKey, repository: new MemoryRepository() });
    await expect(archiver().archiveDirectory('/nonexistent/arca')).rejects.toThrow(/does not exist/);
    const src = temp();
    writeFileSync(path.join(src, 'f'), 'x');
    await expect(archiver().archiveDirectory(path.join(src, 'f'))).rejects.toThrow(/is not a directory/);
  });

  it('re-reads only the files whose size, mtime or inode changed since the parent', async () => {
    const src = temp();
    for (let i = 0; i < 5; i++) writeFileSync(path.join(src, `f${i}`), randomBytes(100_000));
    const repo = new MemoryRepository();
    const first = await new Archiver({ key: masterKey, repository: repo, chunker: small }).archiveDirectory(src);
    const parent = manifestOfResult(first, '1'.repeat(64));
    writeFileSync(path.join(src, 'f1'), randomBytes(100_000)); // same size, new content and mtime
    utimesSync(path.join(src, 'f1'), new Date(2030, 0, 1), new Date(2030, 0, 1));
    const second = await new Archiver({ key: masterKey, repository: repo, chunker: small, parent }).archiveDirectory(src);
    expect(second.stats.bytesRead).toBe(500_000); // unchanged files count as read, they are not
    expect(second.stats.bytesNew).toBe(100_000);
    const [before, after] = [await entriesOf(masterKey, repo, first), await entriesOf(masterKey, repo, second)];
    expect(second.stats.chunks).toBe(after.find((e) => e.path === '/f1')!.chunks!.length);
    expect(after.find((e) => e.path === '/f0')!.chunks).toEqual(before.find((e) => e.path === '/f0')!.chunks);
  });

  it('reads a reused file again when its chunks are gone from the repository (the repository heals)', async () => {
    const src = temp();
    writeFileSync(path.join(src, 'keep'), randomBytes(100_000));
    writeFileSync(path.join(src, 'lost'), randomBytes(100_000));
    const repo = new MemoryRepository();
    const first = await new Archiver({ key: masterKey, repository: repo, chunker: small, packSize: 64 * 1024 }).archiveDirectory(src);
    const parent = manifestOfResult(first, '2'.repeat(64));
    const firstEntries = await entriesOf(masterKey, repo, first);
    const lostChunk = firstEntries.find((e) => e.path === '/lost')!.chunks![0];
    const lostPack = repo.index.get(lostChunk)!.packKey;
    repo.packs.delete(lostPack);
    for (const [id, w] of [...repo.index]) if (w.packKey === lostPack) repo.index.delete(id);

    const second = await new Archiver({ key: masterKey, repository: repo, chunker: small, parent }).archiveDirectory(src);
    expect(second.errors).toEqual([]);
    expect((await entriesOf(masterKey, repo, second)).find((e) => e.path === '/lost')!.chunks).toEqual(firstEntries.find((e) => e.path === '/lost')!.chunks);
    expect(repo.index.has(lostChunk)).toBe(true); // stored again
    expect(second.stats.bytesRead).toBe(200_000);
    expect(second.stats.newChunks).toBeGreaterThan(0);
    const third = await new Archiver({ key: masterKey, repository: repo, chunker: small, parent }).archiveDirectory(src);
    expect(third.stats.chunks).toBe(0); // healthy again: nothing read
  });

  it('reports progress, throttled, ending with the totals', async () => {
    const src = temp();
    for (let i = 0; i < 20; i++) writeFileSync(path.join(src, `f${i}`), randomBytes(50_000));
    const reports: ArchiveProgress[] = [];
    const { stats } = await new Archiver({ key: masterKey, repository: new MemoryRepository(), onProgress: (p) => reports.push(p), progressIntervalMs: 60_000 }).archiveDirectory(src);
    expect(reports.length).toBeLessThanOrEqual(2); // the first report, then the forced final one
    const last = reports[reports.length - 1];
    expect(last).toMatchObject({ files: 20, bytesRead: 1_000_000, bytesNew: 1_000_000, bytesStored: stats.bytesStored });
    const every: ArchiveProgress[] = [];
    await new Archiver({ key: masterKey, repository: new MemoryRepository(), onProgress: (p) => every.push({ ...p }), progressIntervalMs: 0 }).archiveDirectory(src);
    expect(every.length).toBeGreaterThan(10);
    expect(every.some((p) => p.currentPath?.startsWith('/f'))).toBe(true);
  });

  it('limits the read bandwidth', async () => {
    const started = Date.now();
    const data = randomBytes(1_000_000);
    await new Archiver({ key: masterKey, repository: new MemoryRepository(), bandwidthLimitBytesPerSec: 2_000_000 })
      .archiveStream('s', Readable.from([data.subarray(0, 500_000), data.subarray(500_000)]));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('keeps uploads bounded and in parallel, and fails the backup when a pack cannot be stored', async () => {
    let inFlight = 0;
    let peak = 0;
    const repo = new MemoryRepository();
    const slow = Object.assign(Object.create(repo) as MemoryRepository, {
      async storePack(pack: FinishedPack) {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return repo.storePack(pack);
      },
    });
    const data = randomBytes(3_000_000);
    const result = await new Archiver({ key: masterKey, repository: slow, chunker: small, packSize: 64 * 1024 }).archiveStream('big', Readable.from([data]));
    expect(result.packKeys.length).toBeGreaterThan(10);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);

    const failing = Object.assign(Object.create(new MemoryRepository()) as MemoryRepository, { storePack: async () => { throw new Error('bucket gone'); } });
    await expect(new Archiver({ key: masterKey, repository: failing, chunker: small, packSize: 64 * 1024 }).archiveStream('big', Readable.from([data]))).rejects.toThrow(/bucket gone/);
  });

  it('backs up a stream in small pieces exactly like one piece', async () => {
    const data = randomBytes(2_000_000);
    const pieces: Buffer[] = [];
    for (let i = 0; i < data.length; i += 65_536) pieces.push(data.subarray(i, i + 65_536));
    const [wholeRepo, splitRepo] = [new MemoryRepository(), new MemoryRepository()];
    const whole = await entriesOf(masterKey, wholeRepo, await new Archiver({ key: masterKey, repository: wholeRepo }).archiveStream('x', Readable.from([data])));
    const split = await entriesOf(masterKey, splitRepo, await new Archiver({ key: masterKey, repository: splitRepo }).archiveStream('x', Readable.from(pieces)));
    expect(split[1].chunks).toEqual(whole[1].chunks);
    expect(split[1]).toMatchObject({ path: '/x', type: 'file', size: 2_000_000 });
  });
});
