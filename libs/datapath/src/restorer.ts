import { mkdir, open, chmod, chown, link, lutimes, realpath, rm, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { setExactMtimes } from './exact-times';
import { MasterKey } from './keys';
import { findEntry, Manifest, TreeEntry } from './manifest';
import { decodeRaw, dirnameOf, rawSegments } from './raw-path';
import { open as openChunk } from './sealer';

export interface ChunkLocation {
  packKey: string;
  offset: number;
  length: number;
}

/** Where the restorer finds chunks: the chunk index and the pack store. */
export interface ChunkSource {
  /** Pack location of each chunk id (hex); ids missing from the result are reported as missing. */
  locate(ids: string[]): Promise<Map<string, ChunkLocation>>;
  /** A whole pack. */
  readPack(packKey: string): Promise<Buffer>;
  /**
   * Optional: bytes [offset, offset + length) of a pack (an HTTP range GET). When present, a file's
   * chunks that lie next to each other in a pack (the usual case: a file's new chunks are packed in
   * order) are fetched with one request per run instead of whole packs.
   */
  readRange?(packKey: string, offset: number, length: number): Promise<Buffer>;
}

/** Ranged reads are merged across gaps up to this size (fewer requests beat a few wasted bytes). */
const RANGE_GAP = 256 * 1024;
/** And are at most this long, so a read never holds much more than it needs. */
const RANGE_MAX = 16 * 1024 * 1024;

/** Consecutive chunks of one file that sit close together in one pack: fetched with one request. */
interface Run {
  packKey: string;
  offset: number;
  end: number;
  chunks: Array<{ id: string; at: ChunkLocation }>;
}

/** Groups a file's chunk list into runs (by pack, adjacent offsets). */
export function planRuns(ids: string[], locations: Map<string, ChunkLocation>): Run[] {
  const runs: Run[] = [];
  for (const id of ids) {
    const at = locations.get(id);
    if (!at) throw new Error(`chunk ${id} is missing from the repository index`);
    const last = runs[runs.length - 1];
    const end = at.offset + at.length;
    if (last && last.packKey === at.packKey && at.offset >= last.offset && at.offset - last.end <= RANGE_GAP && Math.max(end, last.end) - last.offset <= RANGE_MAX) {
      last.chunks.push({ id, at });
      last.end = Math.max(last.end, end);
    } else {
      runs.push({ packKey: at.packKey, offset: at.offset, end, chunks: [{ id, at }] });
    }
  }
  return runs;
}

/** Chunks decoded ahead of the one being written, per file. */
const DECODE_AHEAD = 4;
/** Files restored at once (each with its own decode-ahead): at most ~16 chunks in memory. */
const FILES_AT_ONCE = 4;

/**
 * Runs `task` over `items`, at most `limit` at a time. The first error stops new tasks from
 * starting and is thrown once the running ones have settled (nothing is left writing behind).
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

export class PathEscapeError extends Error {
  constructor(entryPath: string, reason: string) {
    super(`refusing to restore "${entryPath}": ${reason}`);
    this.name = 'PathEscapeError';
  }
}

export interface RestoreResult {
  files: number;
  dirs: number;
  bytesWritten: number;
  durationMs: number;
  failedFiles: Array<{ path: string; reason: string }>;
}

/**
 * The target-relative location of a snapshot path, refusing anything that could land outside the
 * target: `..` segments, NUL bytes, empty segments, or a path that normalizes elsewhere. With the
 * entry's `rawPath` (a name that is not UTF-8), the same checks apply to those bytes, and the
 * location is bytes too (Node's fs takes them).
 */
export function safeTargetPath(target: string, entryPath: string, rawPath?: string): string | Buffer {
  if (entryPath.includes('\0')) throw new PathEscapeError(entryPath, 'the name contains a NUL byte');
  const segments = entryPath.split('/').slice(1);
  if (entryPath !== '/' && segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new PathEscapeError(entryPath, 'the path has an empty, "." or ".." segment and could escape the target');
  }
  if (!entryPath.startsWith('/')) throw new PathEscapeError(entryPath, 'snapshot paths must start with "/"');
  const resolved = path.resolve(target, '.' + entryPath);
  const root = path.resolve(target);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) throw new PathEscapeError(entryPath, `it resolves outside ${root}`);
  return rawPath === undefined ? resolved : rawTargetPath(root, entryPath, decodeRaw(rawPath));
}

function rawTargetPath(root: string, entryPath: string, raw: Buffer): Buffer {
  if (raw.includes(0)) throw new PathEscapeError(entryPath, 'the raw name contains a NUL byte');
  const [first, ...segments] = rawSegments(raw);
  if (first.length !== 0) throw new PathEscapeError(entryPath, 'raw snapshot paths must start with "/"');
  if (segments.some((s) => s.length === 0 || s.equals(DOT) || s.equals(DOT_DOT))) {
    throw new PathEscapeError(entryPath, 'the raw path has an empty, "." or ".." segment and could escape the target');
  }
  return Buffer.concat([Buffer.from(root === '/' ? '' : root), raw]);
}

const DOT = Buffer.from('.');
const DOT_DOT = Buffer.from('..');

/** Whether a resolved directory is the target's real path or inside it. */
function isWithin(dir: string | Buffer, realRoot: string): boolean {
  if (typeof dir === 'string') return dir === realRoot || dir.startsWith(realRoot + path.sep);
  const root = Buffer.from(realRoot);
  const prefix = Buffer.from(realRoot + path.sep);
  return dir.equals(root) || (dir.length > prefix.length && dir.subarray(0, prefix.length).equals(prefix));
}

/** LRU of whole packs: files restore in chunk order, which is pack order, so a small cache serves most reads. */
class PackCache {
  private readonly packs = new Map<string, Promise<Buffer>>();
  constructor(private readonly source: ChunkSource, private readonly capacity = 4) {}

  get(key: string): Promise<Buffer> {
    let pack = this.packs.get(key);
    if (pack) {
      this.packs.delete(key);
    } else {
      pack = this.source.readPack(key);
      pack.catch(() => this.packs.delete(key));
    }
    this.packs.set(key, pack);
    while (this.packs.size > this.capacity) this.packs.delete(this.packs.keys().next().value!);
    return pack;
  }
}

function selected(manifest: Manifest, paths?: string[]): TreeEntry[] {
  if (!paths || paths.length === 0) return manifest.entries;
  const roots = paths.map((p) => (p === '/' ? '/' : `/${p.replace(/^\/+|\/+$/g, '')}`));
  for (const root of roots) if (!findEntry(manifest, root)) throw new Error(`path ${root} is not in snapshot ${manifest.snapshotId}`);
  const keep = (p: string) => roots.some((r) => r === '/' || p === r || p.startsWith(r + '/') || r.startsWith(p === '/' ? '/' : p + '/'));
  return manifest.entries.filter((e) => keep(e.path));
}

/**
 * Bytes a restore of `paths` (all when none) writes, for its progress total: the chosen files,
 * and a hard link's content once, as a file of its own when its first link is not chosen.
 */
export function restoreSize(manifest: Manifest, paths?: string[]): number {
  const entries = selected(manifest, paths);
  const chosen = new Set(entries.map((e) => e.path));
  const byPath = new Map(manifest.entries.map((e) => [e.path, e]));
  let total = 0;
  for (const e of entries) {
    if (e.type === 'file') total += e.size ?? 0;
    else if (e.type === 'hardlink' && !chosen.has(e.linkTo!)) total += byPath.get(e.linkTo!)?.size ?? 0;
  }
  return total;
}

/**
 * Writes a snapshot (or chosen paths of it) into a target directory, verifying every chunk
 * against its id. A file with a damaged or missing chunk is reported and the others restored.
 * Symlinks are created last, and every write checks that its directory still resolves inside
 * the target, so a symlink in the snapshot cannot redirect a later write out of it.
 */
export class Restorer {
  private readonly packs: PackCache;

  constructor(private readonly key: MasterKey, private readonly source: ChunkSource, private readonly onProgress?: (p: { files: number; bytesWritten: number }) => void) {
    this.packs = new PackCache(source);
  }

  async restore(manifest: Manifest, target: string, options: { paths?: string[] } = {}): Promise<RestoreResult> {
    const started = Date.now();
    const root = path.resolve(target);
    const entries = selected(manifest, options.paths);
    const resolved = entries.map((e) => ({ entry: e, to: safeTargetPath(root, e.path, e.rawPath) })); // refuse before writing anything
    await mkdir(root, { recursive: true });
    const realRoot = await realpath(root);
    const result: RestoreResult = { files: 0, dirs: 0, bytesWritten: 0, durationMs: 0, failedFiles: [] };
    const linked = new Set(entries.filter((e) => e.type === 'hardlink').map((e) => e.linkTo));
    const locations = await this.locateAll([...entries, ...manifest.entries.filter((e) => linked.has(e.path))]);

    /** The entry's directory (its nearest existing ancestor) must resolve inside the target: no writing through symlinks. */
    const insideTarget = async (entryPath: string, file: string | Buffer) => {
      let dir = dirnameOf(file);
      for (;;) {
        try {
          dir = typeof dir === 'string' ? await realpath(dir) : await realpath(dir, { encoding: 'buffer' });
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dir === root) throw error;
          dir = dirnameOf(dir);
        }
      }
      if (!isWithin(dir, realRoot)) throw new PathEscapeError(entryPath, `its directory resolves to ${dir}, outside the target`);
    };
    const failed = (entry: TreeEntry, error: unknown) => {
      if (error instanceof PathEscapeError) throw error;
      result.failedFiles.push({ path: entry.path, reason: (error as Error).message });
    };
    const byPath = new Map(manifest.entries.map((e) => [e.path, e]));
    const restoredPaths = new Map<string, string | Buffer>();

    for (const { entry, to } of resolved) {
      if (entry.type !== 'dir') continue;
      if (to !== root) await insideTarget(entry.path, to);
      await mkdir(to, { recursive: true });
      result.dirs++;
    }
    const selectedPaths = new Set(entries.map((e) => e.path));
    // Several files at once: a file of one or two chunks leaves no room to decode ahead, and
    // restoring such files one by one would leave the cores idle between them.
    await forEachConcurrently(resolved, FILES_AT_ONCE, async ({ entry, to }) => {
      // A hard link whose first link is not being restored gets the content as a file of its own.
      const content = entry.type === 'file' ? entry : entry.type === 'hardlink' && !selectedPaths.has(entry.linkTo!) ? byPath.get(entry.linkTo!) : undefined;
      if (!content) return;
      let written = 0; // this file's bytes, taken back from the totals if it fails
      try {
        if (content.type !== 'file') throw new Error(`hard link to ${entry.linkTo}, which is not a file in the snapshot`);
        await insideTarget(entry.path, to);
        await rm(to, { force: true });
        const handle = await open(to, 'wx', 0o600);
        try {
          for await (const data of this.chunksInOrder(content.chunks ?? [], locations)) {
            await handle.write(data);
            result.bytesWritten += data.length;
            written += data.length;
          }
        } finally {
          await handle.close();
        }
        restoredPaths.set(entry.path, to);
        result.files++;
        this.onProgress?.({ files: result.files, bytesWritten: result.bytesWritten });
      } catch (error) {
        result.bytesWritten -= written;
        await rm(to, { force: true }).catch(() => undefined);
        failed(entry, error);
      }
    });
    for (const { entry, to } of resolved) {
      if (entry.type !== 'hardlink' || !selectedPaths.has(entry.linkTo!)) continue;
      try {
        const original = restoredPaths.get(entry.linkTo!);
        if (!original) throw new Error(`hard link to ${entry.linkTo}, which could not be restored`);
        await insideTarget(entry.path, to);
        await rm(to, { force: true });
        await link(original, to);
        result.files++;
      } catch (error) {
        failed(entry, error);
      }
    }
    for (const { entry, to } of resolved) {
      if (entry.type !== 'symlink') continue;
      try {
        await insideTarget(entry.path, to);
        await rm(to, { force: true });
        await symlink(entry.rawTarget !== undefined ? decodeRaw(entry.rawTarget) : entry.target!, to);
        result.files++;
      } catch (error) {
        failed(entry, error);
      }
    }
    await this.applyMetadata(resolved);
    // Files restore several at a time: report failures in path order, the same on every run.
    result.failedFiles.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    result.durationMs = Date.now() - started;
    return result;
  }

  /** Streams one file of a snapshot, verifying each chunk. */
  async restoreFileToStream(manifest: Manifest, filePath: string, out: Writable): Promise<number> {
    let entry = findEntry(manifest, filePath);
    if (entry?.type === 'hardlink') entry = findEntry(manifest, entry.linkTo!);
    if (!entry || entry.type !== 'file') throw new Error(`${filePath} is not a file in snapshot ${manifest.snapshotId}`);
    const locations = await this.locateAll([entry]);
    let written = 0;
    for await (const data of this.chunksInOrder(entry.chunks ?? [], locations)) {
      if (!out.write(data)) await new Promise((resolve) => out.once('drain', resolve));
      written += data.length;
    }
    return written;
  }

  private async locateAll(entries: TreeEntry[]) {
    const ids = [...new Set(entries.flatMap((e) => e.chunks ?? []))];
    const all = new Map<string, ChunkLocation>();
    for (let i = 0; i < ids.length; i += 10_000) {
      for (const [id, where] of await this.source.locate(ids.slice(i, i + 10_000))) all.set(id, where);
    }
    return all;
  }

  /**
   * A file's chunks in order, decoded up to DECODE_AHEAD at a time: decompression runs on the
   * thread pool, so decoding ahead keeps both cores busy while the previous chunk is written.
   * With ranged reads, each run of neighbouring chunks is one request; otherwise whole packs
   * come from a small LRU (files restore in pack order, so each pack is read about once).
   */
  private async *chunksInOrder(ids: string[], locations: Map<string, ChunkLocation>): AsyncGenerator<Buffer> {
    const runs = planRuns(ids, locations);
    const bytes = new Map<Run, Promise<Buffer>>();
    const runBytes = (run: Run): Promise<Buffer> => {
      let loading = bytes.get(run);
      if (!loading) {
        loading = this.source.readRange
          ? this.source.readRange(run.packKey, run.offset, run.end - run.offset).then((b) => {
            if (b.length !== run.end - run.offset) throw new Error(`pack ${run.packKey}: asked for ${run.end - run.offset} bytes at ${run.offset}, got ${b.length}`);
            return b;
          })
          : this.packs.get(run.packKey).then((pack) => pack.subarray(run.offset, run.end));
        loading.catch(() => undefined);
        bytes.set(run, loading);
      }
      return loading;
    };
    const order = runs.flatMap((run) => run.chunks.map((c) => ({ run, ...c })));
    const pending: Array<Promise<Buffer>> = [];
    let next = 0;
    const fill = () => {
      while (next < order.length && pending.length < DECODE_AHEAD) {
        const { run, id, at } = order[next++];
        if (next >= 2 && order[next - 2].run !== run) bytes.delete(order[next - 2].run); // a finished run's bytes can go
        const loading = runBytes(run).then((b) => openChunk(this.key, Buffer.from(id, 'hex'), b.subarray(at.offset - run.offset, at.offset - run.offset + at.length)));
        loading.catch(() => undefined); // awaited in order below; this only silences early rejections
        pending.push(loading);
      }
    };
    fill();
    while (pending.length > 0) {
      const data = await pending.shift()!;
      fill();
      yield data;
    }
  }

  /** Modes, owners (when running as root) and times; directories last and deepest first, since writing into them changes their mtime. */
  private async applyMetadata(resolved: Array<{ entry: TreeEntry; to: string | Buffer }>): Promise<void> {
    const asRoot = process.getuid?.() === 0;
    const seconds = (ns: string) => Number(BigInt(ns) / 1000n) / 1e6;
    const ordered = [
      ...resolved.filter((r) => r.entry.type !== 'dir'),
      ...resolved.filter((r) => r.entry.type === 'dir').sort((a, b) => b.entry.path.length - a.entry.path.length),
    ];
    for (const { entry, to } of ordered) {
      const time = seconds(entry.mtimeNs); // microsecond-close; setExactMtimes below makes it exact
      try {
        if (entry.type === 'symlink') {
          if (asRoot) await import('node:fs/promises').then((fs) => fs.lchown(to, entry.uid, entry.gid));
          await lutimes(to, time, time);
          continue;
        }
        if (entry.type === 'hardlink') continue; // shares the original's inode and metadata
        if (asRoot) await chown(to, entry.uid, entry.gid);
        await chmod(to, entry.mode);
        await utimes(to, time, time);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    await setExactMtimes(resolved.filter((r) => r.entry.type !== 'hardlink').map((r) => ({ path: r.to, mtimeNs: r.entry.mtimeNs })));
  }
}
