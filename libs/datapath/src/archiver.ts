import { open, readdir, readlink } from 'node:fs/promises';
import { BigIntStats, lstat, PathLike } from 'node:fs';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { ChunkerParams, Chunker, DEFAULT_CHUNKER_PARAMS } from './chunker';
import { ChunkRepository, ChunkSink } from './chunk-sink';
import { MasterKey } from './keys';
import { SealPool } from './seal-pool';
import { Manifest, TreeEntry } from './manifest';
import { encodeRaw, joinName, needsRawName, readableName } from './raw-path';

const lstatBig = promisify(lstat) as unknown as (p: PathLike, o: { bigint: true }) => Promise<BigIntStats>;

/** Bytes per read: large reads keep syscalls few; each read is a fresh buffer the chunker may keep. */
const READ_SIZE = 4 * 1024 * 1024;

export interface ArchiveProgress {
  files: number;
  dirs: number;
  bytesRead: number;
  bytesNew: number;
  bytesStored: number;
  currentPath?: string;
}

export interface ArchiveStats extends ArchiveProgress {
  chunks: number;
  newChunks: number;
  /** bytesRead / bytesNew; null when nothing new was stored (an unchanged source). */
  dedupeRatio: number | null;
  /** bytesNew / bytesStored; null when nothing new was stored. */
  compressionRatio: number | null;
  durationMs: number;
  throughputBytesPerSec: number;
}

export interface ArchiveResult {
  entries: TreeEntry[];
  stats: ArchiveStats;
  /** Entries that could not be read or are not backed up (sockets, devices), with the reason. */
  errors: Array<{ path: string; reason: string }>;
  /** Packs written by this run (replication copies them). */
  packKeys: string[];
}

export interface ArchiverOptions {
  key: MasterKey;
  repository: ChunkRepository;
  chunker?: ChunkerParams;
  packSize?: number;
  /** zstd level for new chunks (default 3; 1 is ~2x faster for ~7% more storage on text). */
  compressionLevel?: number;
  /**
   * Opt-in: worker threads that compress and encrypt new chunks (e.g. `SealPool.shared()`). By
   * default sealing runs on the main thread with zstd on libuv's pool. On the loaded 2-core dev VM
   * the pool measured 256 → 276 MB/s (random) and 136 → 173 MB/s (text) once warm, within the
   * noise of other builds, and its workers take ~1 s to start (TypeScript through SWC), so it is
   * not the default; measure on the real hardware.
   */
  sealPool?: SealPool | null;
  /** Packs uploading at once (default 4). */
  maxUploads?: number;
  /** Files whose size, mtime and inode are unchanged since this manifest reuse its chunk lists. */
  parent?: Manifest;
  /** Check that the chunks of files reused from the parent are still in the repository (default true). */
  verifyReusedChunks?: boolean;
  /** Read at most this many bytes per second (a backup's share of a WAN link or a busy disk). */
  bandwidthLimitBytesPerSec?: number;
  onProgress?: (progress: ArchiveProgress) => void;
  progressIntervalMs?: number;
}

/**
 * Backs up a directory tree or a byte stream into the repository: the front half of the pipeline
 * (walk, read, chunk) here, the back half (lookup, seal, pack, upload) in ChunkSink.
 */
export class Archiver {
  private readonly sink: ChunkSink;
  private readonly progress: ArchiveProgress = { files: 0, dirs: 0, bytesRead: 0, bytesNew: 0, bytesStored: 0 };
  private readonly errors: ArchiveResult['errors'] = [];
  private readonly started = Date.now();
  private lastReport = 0;
  private readBytesForLimit = 0;

  constructor(private readonly options: ArchiverOptions) {
    this.sink = new ChunkSink(options.key, options.repository, { packSize: options.packSize, compressionLevel: options.compressionLevel, maxUploads: options.maxUploads, sealPool: options.sealPool ?? undefined });
  }

  /** A whole directory tree. Entry paths are relative to `root` ("/" is root itself). */
  async archiveDirectory(root: string): Promise<ArchiveResult> {
    const rootStats = await lstatBig(root, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read source directory ${root}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`);
    });
    if (!rootStats.isDirectory()) throw new Error(`source ${root} is not a directory`);
    const parentFiles = new Map((this.options.parent?.entries ?? []).filter((e) => e.type === 'file').map((e) => [e.path, e]));
    const firstLinks = new Map<string, string>();
    const entries: TreeEntry[] = [];
    const reused: Array<{ absolute: PathLike; path: string }> = [];

    // `raw`: the path's bytes when a name on it is not UTF-8 (then `relative` is its readable form).
    const visit = async (absolute: PathLike, relative: string, raw: Buffer | undefined, stats: BigIntStats): Promise<void> => {
      const base = { path: relative, ...(raw ? { rawPath: encodeRaw(raw) } : {}), mode: Number(stats.mode & 0o7777n), mtimeNs: stats.mtimeNs.toString(), uid: Number(stats.uid), gid: Number(stats.gid) };
      this.progress.currentPath = relative;
      if (stats.isDirectory()) {
        entries.push({ ...base, type: 'dir' });
        this.progress.dirs++;
        let names: Array<{ name: Buffer; readable: string }>;
        try {
          names = readableNames(await readdir(absolute, { encoding: 'buffer' }));
        } catch (error) {
          this.errors.push({ path: relative, reason: `cannot list directory: ${(error as Error).message}` });
          return;
        }
        for (const { name, readable } of names) {
          const childAbsolute = joinName(absolute as string | Buffer, name);
          const childRelative = relative === '/' ? `/${readable}` : `${relative}/${readable}`;
          const joinedRaw = joinName(raw ?? relative, name);
          const childRaw = typeof joinedRaw === 'string' ? undefined : joinedRaw;
          let childStats: BigIntStats;
          try {
            childStats = await lstatBig(childAbsolute, { bigint: true });
          } catch (error) {
            this.errors.push({ path: childRelative, reason: (error as Error).message });
            continue;
          }
          await visit(childAbsolute, childRelative, childRaw, childStats);
        }
      } else if (stats.isSymbolicLink()) {
        const target = await readlink(absolute, { encoding: 'buffer' });
        entries.push({ ...base, type: 'symlink', target: readableName(target), ...(needsRawName(target) ? { rawTarget: encodeRaw(target) } : {}) });
        this.progress.files++;
      } else if (stats.isFile()) {
        const identity = `${stats.dev}:${stats.ino}`;
        if (stats.nlink > 1n && firstLinks.has(identity)) {
          entries.push({ ...base, type: 'hardlink', linkTo: firstLinks.get(identity)! });
          this.progress.files++;
          return;
        }
        if (stats.nlink > 1n) firstLinks.set(identity, relative);
        let size = Number(stats.size);
        const previous = parentFiles.get(relative);
        let chunks: string[] | undefined;
        if (previous && previous.size === size && previous.mtimeNs === base.mtimeNs && previous.inode === Number(stats.ino)) {
          chunks = previous.chunks; // unchanged since the parent snapshot: not read again
          reused.push({ absolute, path: relative });
          this.progress.bytesRead += size;
        } else {
          try {
            const read = await this.archiveFile(absolute, size);
            chunks = read.chunks;
            if (read.size !== size) {
              // the file changed while it was read: record what was read, so a restore is self-consistent
              this.errors.push({ path: relative, reason: `changed while being read (${size} bytes at stat, ${read.size} read); the snapshot holds what was read` });
              size = read.size;
            }
          } catch (error) {
            this.errors.push({ path: relative, reason: `cannot read: ${(error as Error).message}` });
            return;
          }
        }
        entries.push({ ...base, type: 'file', size, chunks, inode: Number(stats.ino), dev: Number(stats.dev) });
        this.progress.files++;
        this.report();
      } else {
        this.errors.push({ path: relative, reason: 'not backed up: sockets, FIFOs and device files are skipped' });
      }
    };

    await visit(root, '/', undefined, rootStats);
    await this.rereadIfMissing(entries, reused);
    return this.finish(entries);
  }

  /**
   * Files reused from the parent are trusted only if the repository still holds their chunks: one
   * batched lookup per 1,000 ids after the walk. A file whose chunk is gone (a lost or pruned pack)
   * is read again, which stores the chunk anew, so a damaged repository heals on the next backup
   * instead of every later snapshot referencing the missing chunk.
   */
  private async rereadIfMissing(entries: TreeEntry[], reused: Array<{ absolute: PathLike; path: string }>): Promise<void> {
    if (reused.length === 0 || this.options.verifyReusedChunks === false) return;
    const byPath = new Map(entries.map((e, i) => [e.path, i]));
    const ids = [...new Set(reused.flatMap((r) => entries[byPath.get(r.path)!].chunks ?? []))];
    const missing = new Set<string>();
    for (let i = 0; i < ids.length; i += 1000) {
      for (const id of await this.options.repository.filterNew(ids.slice(i, i + 1000).map((h) => Buffer.from(h, 'hex')))) {
        if (!this.sink.holds(id)) missing.add(id);
      }
    }
    if (missing.size === 0) return;
    for (const r of reused) {
      const index = byPath.get(r.path)!;
      const entry = entries[index];
      if (!(entry.chunks ?? []).some((id) => missing.has(id))) continue;
      this.progress.bytesRead -= entry.size ?? 0;
      this.progress.currentPath = r.path;
      try {
        const read = await this.archiveFile(r.absolute, entry.size ?? READ_SIZE);
        entries[index] = { ...entry, chunks: read.chunks, size: read.size };
      } catch (error) {
        this.errors.push({ path: r.path, reason: `its chunks are missing from the repository and it cannot be read again: ${(error as Error).message}` });
        entries.splice(index, 1);
        byPath.clear();
        entries.forEach((e, i) => byPath.set(e.path, i));
      }
    }
  }

  /** One byte stream, stored as a single file entry `/<name>`. */
  async archiveStream(name: string, stream: Readable): Promise<ArchiveResult> {
    const now = BigInt(Date.now()) * 1_000_000n;
    const entries: TreeEntry[] = [{ path: '/', type: 'dir', mode: 0o755, mtimeNs: now.toString(), uid: 0, gid: 0 }];
    const chunker = new Chunker(this.options.chunker ?? DEFAULT_CHUNKER_PARAMS);
    const chunks: string[] = [];
    let size = 0;
    this.progress.currentPath = `/${name}`;
    for await (const data of stream) {
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data as string);
      size += buffer.length;
      await this.consume(chunker.push(buffer), chunks, buffer.length);
    }
    const last = chunker.finish();
    if (last) chunks.push(await this.sink.add(last));
    entries.push({ path: `/${name}`, type: 'file', mode: 0o644, mtimeNs: now.toString(), uid: 0, gid: 0, size, chunks });
    this.progress.files++;
    return this.finish(entries);
  }

  /**
   * Reads one file through the chunker with the next read already in flight while the previous
   * one is chunked, hashed and handed on, so the archiving thread does not wait for the disk. Buffers
   * are sized from the expected size: chunks are views of them, and a 4 MiB buffer behind a
   * 10 KiB file would stay alive (and count against the heap) until its chunk is stored.
   */
  private async archiveFile(file: PathLike, expectedSize = READ_SIZE): Promise<{ chunks: string[]; size: number }> {
    const handle = await open(file, 'r');
    const chunker = new Chunker(this.options.chunker ?? DEFAULT_CHUNKER_PARAMS);
    const chunks: string[] = [];
    let size = 0;
    const readNext = () => {
      // Up to one byte past the expected end (an empty read there ends the file); a file that
      // grew since its stat is read on in full-size pieces.
      const remaining = expectedSize - size;
      const want = remaining >= 0 ? Math.min(READ_SIZE, remaining + 1) : READ_SIZE;
      const buffer = Buffer.allocUnsafe(want);
      return handle.read(buffer, 0, want, null).then(({ bytesRead }) => buffer.subarray(0, bytesRead));
    };
    let reading: Promise<Buffer> | undefined;
    try {
      reading = readNext();
      for (;;) {
        const data = await reading;
        reading = undefined;
        if (data.length === 0) break;
        size += data.length;
        // Sequential reads on one handle: the next read starts where this one ended.
        reading = readNext();
        await this.consume(chunker.push(data), chunks, data.length);
      }
    } finally {
      // A read still in flight (an error while consuming) must settle before the handle closes.
      await reading?.catch(() => undefined);
      await handle.close();
    }
    const last = chunker.finish();
    if (last) chunks.push(await this.sink.add(last));
    return { chunks, size };
  }

  private async consume(complete: Buffer[], into: string[], bytesRead: number): Promise<void> {
    for (const chunk of complete) into.push(await this.sink.add(chunk));
    this.progress.bytesRead += bytesRead;
    await this.throttle(bytesRead);
    this.report();
  }

  /** Sleeps as needed so reads average at most the bandwidth limit. */
  private async throttle(bytes: number): Promise<void> {
    const limit = this.options.bandwidthLimitBytesPerSec;
    if (!limit) return;
    this.readBytesForLimit += bytes;
    const earliest = this.started + (this.readBytesForLimit / limit) * 1000;
    const wait = earliest - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private report(force = false): void {
    const now = Date.now();
    if (!this.options.onProgress || (!force && now - this.lastReport < (this.options.progressIntervalMs ?? 1000))) return;
    this.lastReport = now;
    const c = this.sink.counters;
    this.options.onProgress({ ...this.progress, bytesNew: c.bytesNew, bytesStored: c.bytesStored });
  }

  private async finish(entries: TreeEntry[]): Promise<ArchiveResult> {
    const c = await this.sink.finish();
    const durationMs = Math.max(1, Date.now() - this.started);
    this.progress.bytesNew = c.bytesNew;
    this.progress.bytesStored = c.bytesStored;
    delete this.progress.currentPath;
    this.report(true);
    return {
      entries,
      errors: this.errors,
      packKeys: c.packKeys,
      stats: {
        ...this.progress,
        chunks: c.chunks,
        newChunks: c.newChunks,
        // undefined (null) when nothing new was stored, rather than bytesRead / 1 or 0
        dedupeRatio: c.bytesNew > 0 ? this.progress.bytesRead / c.bytesNew : null,
        compressionRatio: c.bytesNew > 0 && c.bytesStored > 0 ? c.bytesNew / c.bytesStored : null,
        durationMs,
        throughputBytesPerSec: Math.round((this.progress.bytesRead / durationMs) * 1000),
      },
    };
  }
}

/**
 * A directory's names with their readable forms, sorted by those. A name that is not UTF-8 whose
 * readable form equals another name's (a file literally named `caf\xE9` beside one with the byte
 * 0xE9) gets `~2`, `~3`…, so paths stay unique within a snapshot; its raw bytes are unchanged.
 */
function readableNames(names: Buffer[]): Array<{ name: Buffer; readable: string }> {
  const taken = new Set(names.filter((n) => !needsRawName(n)).map((n) => n.toString('utf8')));
  const out = [...names].sort(Buffer.compare).map((name) => {
    if (!needsRawName(name)) return { name, readable: name.toString('utf8') };
    const first = readableName(name);
    let readable = first;
    for (let n = 2; taken.has(readable); n++) readable = `${first}~${n}`;
    taken.add(readable);
    return { name, readable };
  });
  return out.sort((a, b) => (a.readable < b.readable ? -1 : a.readable > b.readable ? 1 : 0));
}
