import { open, readdir, readlink } from 'node:fs/promises';
import { BigIntStats, closeSync, lstat, lstatSync, openSync, PathLike, readSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { ChunkLocation, ChunkSource, locateAll } from './chunk-reader';
import { ChunkerParams, Chunker, DEFAULT_CHUNKER_PARAMS } from './chunker';
import { ChunkRepository, ChunkSink } from './chunk-sink';
import { MasterKey } from './keys';
import { SealPool } from './seal-pool';
import { Manifest, TreeEntry } from './manifest';
import { encodeRaw, joinName, needsRawName, readableName } from './raw-path';
import { referencedIds, SnapshotReader } from './snapshot-reader';
import { baseName, encodeTree } from './tree';

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
  /** The snapshot's root directory: its metadata, and in `tree` the chunks of its listing. */
  root: TreeEntry;
  stats: ArchiveStats;
  /**
   * Entries that could not be read or are not backed up (sockets, devices), with the reason: the
   * first MAX_LISTED_ERRORS of them (`errorCount` counts all).
   */
  errors: Array<{ path: string; reason: string }>;
  errorCount: number;
  /** Every pack the snapshot references: those this run wrote and those holding chunks it reused (replication copies them). */
  packKeys: string[];
  /** The packs this run wrote. */
  newPackKeys: string[];
}

/**
 * Files up to this size are read with one synchronous call on the data thread: for a tree of small
 * files, the asynchronous open, read and close (three thread-pool round trips each) left the
 * thread idle most of the time. Larger files stream, with the next read in flight.
 */
const SMALL_FILE = 1024 * 1024;

/** Errors kept by name in a result; a tree of a million unreadable files still reports their count. */
export const MAX_LISTED_ERRORS = 1000;

export interface ArchiverOptions {
  key: MasterKey;
  /** The dedupe index and pack store; read from too (a parent snapshot's listings and chunk locations). */
  repository: ChunkRepository & ChunkSource;
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
  /** Files whose size, mtime and inode are unchanged since this snapshot reuse its chunk lists (as long as the index still holds their chunks). */
  parent?: Manifest;
  /** Read at most this many bytes per second (a backup's share of a WAN link or a busy disk). */
  bandwidthLimitBytesPerSec?: number;
  onProgress?: (progress: ArchiveProgress) => void;
  progressIntervalMs?: number;
}

/** A directory of the parent snapshot, met at the same path: its children by name, and where their chunks are. */
interface ParentDirectory {
  children: Map<string, TreeEntry>;
  locations: Map<string, ChunkLocation>;
}

/**
 * Backs up a directory tree or a byte stream into the repository: the front half of the pipeline
 * (walk, read, chunk) here, the back half (lookup, seal, pack, upload) in ChunkSink.
 *
 * Directory trees are stored as tree objects (tree.ts), one listing per directory, written when
 * the directory is finished: memory holds the listings of the directories on the current path
 * (and of the parent snapshot's same directories), never the whole tree. Listings go through a
 * sink of their own, so they land in packs of their own (as restic's tree packs do): reading a
 * snapshot's tree reads small, dense packs, and the data statistics stay those of the files.
 */
export class Archiver {
  private readonly sink: ChunkSink;
  private readonly trees: ChunkSink;
  private readonly progress: ArchiveProgress = { files: 0, dirs: 0, bytesRead: 0, bytesNew: 0, bytesStored: 0 };
  private readonly errors: ArchiveResult['errors'] = [];
  private errorCount = 0;
  /** Packs holding chunks reused from the parent without a lookup. */
  private readonly reusedPacks = new Set<string>();
  private readonly started = Date.now();
  private lastReport = 0;
  private readBytesForLimit = 0;

  constructor(private readonly options: ArchiverOptions) {
    const sinkOptions = { packSize: options.packSize, compressionLevel: options.compressionLevel, maxUploads: options.maxUploads, sealPool: options.sealPool ?? undefined };
    this.sink = new ChunkSink(options.key, options.repository, sinkOptions);
    this.trees = new ChunkSink(options.key, options.repository, sinkOptions);
  }

  /** A whole directory tree. Entry paths are relative to `root` ("/" is root itself). */
  async archiveDirectory(root: string): Promise<ArchiveResult> {
    const rootStats = await lstatBig(root, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read source directory ${root}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`);
    });
    if (!rootStats.isDirectory()) throw new Error(`source ${root} is not a directory`);
    const parent = this.options.parent;
    const reader = parent ? new SnapshotReader(this.options.key, this.options.repository) : undefined;
    const firstLinks = new Map<string, string>();

    /** The parent snapshot's listing of the same directory, with its children's chunks located (one batched call). */
    const parentDirectory = async (entry: TreeEntry | undefined, locations?: Map<string, ChunkLocation>): Promise<ParentDirectory | undefined> => {
      if (!parent || !reader || entry?.type !== 'dir') return undefined;
      try {
        const children = await reader.listing(parent, entry, locations);
        return { children: new Map(children.map((c) => [baseName(c.path), c])), locations: await locateAll(this.options.repository, referencedIds(children)) };
      } catch {
        return undefined; // an unreadable parent listing: this directory's files are read again, the backup is still complete
      }
    };

    /** Whether every chunk of a parent's file is still in the repository (or taken by this job). */
    const stillHeld = (chunks: string[], previous: ParentDirectory) => chunks.every((id) => previous.locations.has(id) || this.sink.holds(id));

    // `raw`: the path's bytes when a name on it is not UTF-8 (then `relative` is its readable form).
    const visitDirectory = async (absolute: PathLike, relative: string, raw: Buffer | undefined, stats: BigIntStats, previous: ParentDirectory | undefined): Promise<TreeEntry> => {
      const base = entryBase(relative, raw, stats);
      this.progress.currentPath = relative;
      this.progress.dirs++;
      const children: TreeEntry[] = [];
      let names: Array<{ name: Buffer; readable: string }> = [];
      try {
        names = readableNames(await readdir(absolute, { encoding: 'buffer' }));
      } catch (error) {
        this.error(relative, `cannot list directory: ${(error as Error).message}`);
      }
      for (const { name, readable } of names) {
        const childAbsolute = joinName(absolute as string | Buffer, name);
        const childRelative = relative === '/' ? `/${readable}` : `${relative}/${readable}`;
        const joinedRaw = joinName(raw ?? relative, name);
        const childRaw = typeof joinedRaw === 'string' ? undefined : joinedRaw;
        let childStats: BigIntStats;
        try {
          // Synchronous: this runs on a data thread of its own, and a thread-pool round trip per
          // entry was most of the time of a tree of small files.
          childStats = lstatSync(childAbsolute, { bigint: true });
        } catch (error) {
          this.error(childRelative, (error as Error).message);
          continue;
        }
        const before = previous?.children.get(readable);
        if (childStats.isDirectory()) {
          const tree = before?.tree ?? [];
          const at = previous && tree.every((id) => previous.locations.has(id)) ? previous.locations : undefined;
          children.push(await visitDirectory(childAbsolute, childRelative, childRaw, childStats, await parentDirectory(before, at)));
        } else {
          const entry = await visitOther(childAbsolute, childRelative, childRaw, childStats, before, previous);
          if (entry) children.push(entry);
        }
      }
      return { ...base, type: 'dir', tree: await this.storeListing(children) };
    };

    const visitOther = async (absolute: PathLike, relative: string, raw: Buffer | undefined, stats: BigIntStats, before: TreeEntry | undefined, previous: ParentDirectory | undefined): Promise<TreeEntry | undefined> => {
      const base = entryBase(relative, raw, stats);
      this.progress.currentPath = relative;
      if (stats.isSymbolicLink()) {
        let target: Buffer;
        try {
          target = await readlink(absolute, { encoding: 'buffer' });
        } catch (error) {
          this.error(relative, `cannot read link: ${(error as Error).message}`);
          return undefined;
        }
        this.progress.files++;
        return { ...base, type: 'symlink', target: readableName(target), ...(needsRawName(target) ? { rawTarget: encodeRaw(target) } : {}) };
      }
      if (!stats.isFile()) {
        this.error(relative, 'not backed up: sockets, FIFOs and device files are skipped');
        return undefined;
      }
      const identity = `${stats.dev}:${stats.ino}`;
      if (stats.nlink > 1n && firstLinks.has(identity)) {
        this.progress.files++;
        return { ...base, type: 'hardlink', linkTo: firstLinks.get(identity)! };
      }
      if (stats.nlink > 1n) firstLinks.set(identity, relative);
      let size = Number(stats.size);
      let chunks: string[];
      if (before?.type === 'file' && previous && before.size === size && before.mtimeNs === base.mtimeNs && before.inode === Number(stats.ino) && stillHeld(before.chunks ?? [], previous)) {
        chunks = before.chunks ?? []; // unchanged since the parent snapshot, its chunks still held: not read again
        for (const id of chunks) {
          const at = previous.locations.get(id);
          if (at) this.reusedPacks.add(at.packKey);
        }
        this.progress.bytesRead += size;
      } else {
        // New, changed, or its chunks are gone from the repository (a repair forgot them): read,
        // which stores missing chunks anew, so a damaged repository heals on the next backup.
        try {
          const read = (size <= SMALL_FILE ? await this.archiveSmallFile(absolute, size) : undefined) ?? await this.archiveFile(absolute, size);
          chunks = read.chunks;
          if (read.size !== size) {
            // the file changed while it was read: record what was read, so a restore is self-consistent
            this.error(relative, `changed while being read (${size} bytes at stat, ${read.size} read); the snapshot holds what was read`);
            size = read.size;
          } else if (changedSince(absolute, stats)) {
            // the same size, but written (or replaced) between its stat and the end of its read: what was read may mix both versions
            this.error(relative, `changed while being read (its mtime, ctime or inode differ after the read); the snapshot holds what was read`);
          }
        } catch (error) {
          this.error(relative, `cannot read: ${(error as Error).message}`);
          return undefined;
        }
      }
      this.progress.files++;
      this.report();
      return { ...base, type: 'file', size, chunks, inode: Number(stats.ino), dev: Number(stats.dev) };
    };

    const rootEntry = await visitDirectory(root, '/', undefined, rootStats, parent ? await parentDirectory(parent.root) : undefined);
    return this.finish(rootEntry);
  }

  /** One byte stream, stored as a single file entry `/<name>`. */
  async archiveStream(name: string, stream: Readable): Promise<ArchiveResult> {
    const now = (BigInt(Date.now()) * 1_000_000n).toString();
    const chunker = new Chunker(this.options.chunker ?? DEFAULT_CHUNKER_PARAMS);
    const chunks: string[] = [];
    let size = 0;
    this.progress.currentPath = `/${name}`;
    for await (const data of stream) {
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data as string);
      size += buffer.length;
      await this.consume(chunker.push(buffer), chunks, buffer.length);
    }
    await this.finishChunks(chunker, chunks);
    this.progress.files++;
    const file: TreeEntry = { path: `/${name}`, type: 'file', mode: 0o644, mtimeNs: now, uid: 0, gid: 0, size, chunks };
    return this.finish({ path: '/', type: 'dir', mode: 0o755, mtimeNs: now, uid: 0, gid: 0, tree: await this.storeListing([file]) });
  }

  /** A finished directory's listing, cut and stored like file data (in the tree sink): its chunk ids. */
  private async storeListing(children: TreeEntry[]): Promise<string[]> {
    const chunker = new Chunker(this.options.chunker ?? DEFAULT_CHUNKER_PARAMS);
    const ids: string[] = [];
    for (const chunk of chunker.push(encodeTree(children))) ids.push(await this.trees.add(chunk));
    await this.finishChunks(chunker, ids, this.trees);
    return ids;
  }

  /** The chunker's last, short chunk (if any), handed on like the others. */
  private async finishChunks(chunker: Chunker, into: string[], sink = this.sink): Promise<void> {
    const last = chunker.finish();
    if (last) into.push(await sink.add(last));
  }

  private error(path: string, reason: string): void {
    this.errorCount++;
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ path, reason });
  }

  /**
   * A small file read in one synchronous call (on the data thread; see SMALL_FILE), chunked and
   * handed on; undefined when it grew past the size it had at its stat (the streaming reader then
   * reads it whole).
   */
  private async archiveSmallFile(file: PathLike, size: number): Promise<{ chunks: string[]; size: number } | undefined> {
    // One byte more than expected: reading it tells that the file grew.
    const buffer = Buffer.allocUnsafeSlow(size + 1);
    let length = 0;
    const fd = openSync(file, 'r');
    try {
      for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    } finally {
      closeSync(fd);
    }
    if (length > size) return undefined;
    const chunker = new Chunker(this.options.chunker ?? DEFAULT_CHUNKER_PARAMS);
    const chunks: string[] = [];
    await this.consume(chunker.push(buffer.subarray(0, length)), chunks, length);
    await this.finishChunks(chunker, chunks);
    return { chunks, size: length };
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
    await this.finishChunks(chunker, chunks);
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
    this.options.onProgress({ ...this.progress, bytesNew: this.sink.counters.bytesNew, bytesStored: this.sink.counters.bytesStored + this.trees.counters.bytesStored });
  }

  private async finish(root: TreeEntry): Promise<ArchiveResult> {
    // Data first, then the listings: their uploads do not add to the data's (a listing pack fills
    // mid-backup only after 16 MiB of listings, when at most one more upload runs).
    const c = await this.sink.finish();
    const t = await this.trees.finish();
    const durationMs = Math.max(1, Date.now() - this.started);
    this.progress.bytesNew = c.bytesNew;
    this.progress.bytesStored = c.bytesStored + t.bytesStored;
    delete this.progress.currentPath;
    this.report(true);
    return {
      root,
      errors: this.errors,
      errorCount: this.errorCount,
      packKeys: [...new Set([...c.packKeys, ...c.knownPacks, ...t.packKeys, ...t.knownPacks, ...this.reusedPacks])],
      newPackKeys: [...c.packKeys, ...t.packKeys],
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
 * Whether a file is not the one `before` described any more: another mtime, ctime or inode at a
 * second lstat after its read (a write of the same size moves mtime and ctime; a rename over it,
 * the inode). A file gone by then has changed too.
 */
function changedSince(file: PathLike, before: BigIntStats): boolean {
  try {
    const now = lstatSync(file, { bigint: true });
    return now.mtimeNs !== before.mtimeNs || now.ctimeNs !== before.ctimeNs || now.ino !== before.ino;
  } catch {
    return true;
  }
}

/** What every entry records of itself: its path (and raw bytes), mode, nanosecond mtime and owner. */
function entryBase(relative: string, raw: Buffer | undefined, stats: BigIntStats) {
  return { path: relative, ...(raw ? { rawPath: encodeRaw(raw) } : {}), mode: Number(stats.mode & 0o7777n), mtimeNs: stats.mtimeNs.toString(), uid: Number(stats.uid), gid: Number(stats.gid) };
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
