import { chmod, chown, type FileHandle, lchown, link, lutimes, mkdir, open, realpath, rm, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { setExactMtimes } from './exact-times';
import { MasterKey } from './keys';
import { ChunkLocation, ChunkReader, ChunkSource, locateAll } from './chunk-reader';
import { Manifest, normalizeSnapshotPath, TreeEntry } from './manifest';
import { decodeRaw, dirnameOf, rawSegments } from './raw-path';
import { SnapshotReader } from './snapshot-reader';
import { UnsafeEntryError } from './tree';

/** Files restored at once (each decoding a few chunks ahead): at most ~16 chunks in memory. */
const FILES_AT_ONCE = 4;
/** Exact mtimes are set in batches of this many paths (one shell per batch). */
const MTIME_BATCH = 5000;

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

/**
 * Runs tasks at most `limit` at a time, in the order given: `run` waits for a free slot, then
 * starts the task without waiting for it. The first error stops new tasks from starting and is
 * thrown by `run` and `drain` once the running ones have settled (nothing is left writing behind).
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    while (!this.failure && this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure) return this.drain();
    const work: Promise<void> = task()
      .catch((error) => { this.failure ??= { error }; })
      .finally(() => this.running.delete(work));
    this.running.add(work);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
    if (this.failure) throw this.failure.error;
  }
}

/** Whether a snapshot path is one of `roots` or inside one. */
function under(roots: TreeEntry[], entryPath: string): boolean {
  return roots.some((r) => r.path === '/' || entryPath === r.path || entryPath.startsWith(r.path + '/'));
}

/**
 * The entries a restore of `paths` starts from (the root when none is chosen), and the
 * directories on the way to them, which are created with their metadata too. A chosen path
 * inside another chosen one is restored once.
 */
async function chosenRoots(reader: SnapshotReader, manifest: Manifest, paths?: string[]): Promise<{ roots: TreeEntry[]; ancestors: TreeEntry[] }> {
  if (!paths || paths.length === 0) return { roots: [manifest.root], ancestors: [] };
  const chains: TreeEntry[][] = [];
  for (const p of paths) {
    const chain = await reader.pathTo(manifest, p);
    if (!chain) throw new Error(`path ${normalizeSnapshotPath(p)} is not in snapshot ${manifest.snapshotId}`);
    chains.push(chain);
  }
  const chosen = chains.map((chain) => chain[chain.length - 1]);
  const roots = chosen.filter((r, i) => !chosen.some((o, j) => j !== i && (o.path === '/' || r.path.startsWith(o.path + '/') || (o.path === r.path && j < i))));
  const ancestors = new Map<string, TreeEntry>();
  for (const chain of chains) for (const a of chain.slice(0, -1)) if (!under(roots, a.path)) ancestors.set(a.path, a);
  return { roots, ancestors: [...ancestors.values()].sort((a, b) => a.path.length - b.path.length) };
}

/**
 * Bytes a restore of `paths` (all when none) writes, for its progress total: the chosen files,
 * and a hard link's content once, as a file of its own when its first link is not chosen. Reads
 * the listings of the chosen subtrees (not the chunks).
 */
export async function restoreSize(reader: SnapshotReader, manifest: Manifest, paths?: string[]): Promise<number> {
  const { roots } = await chosenRoots(reader, manifest, paths);
  let total = 0;
  const count = async (e: TreeEntry) => {
    if (e.type === 'file') total += e.size ?? 0;
    else if (e.type === 'hardlink' && !under(roots, e.linkTo!)) total += (await reader.find(manifest, e.linkTo!))?.size ?? 0;
  };
  for (const root of roots) {
    if (root.type !== 'dir') await count(root);
    else for await (const visit of reader.walk(manifest, root, { locate: false })) for (const e of visit.entries) await count(e);
  }
  return total;
}

/**
 * Writes a snapshot (or chosen paths of it) into a target directory, verifying every chunk
 * against its id. A file with a damaged or missing chunk is reported and the others restored.
 * The tree is read one directory at a time (each directory's entries are checked against the
 * target before any of them is written); files are written several at once; hard links and
 * symlinks are created last, and every write checks that its directory still resolves inside
 * the target, so a symlink in the snapshot cannot redirect a later write out of it.
 */
export class Restorer {
  private readonly reader: SnapshotReader;

  constructor(private readonly key: MasterKey, private readonly source: ChunkSource, private readonly onProgress?: (p: { files: number; bytesWritten: number }) => void) {
    this.reader = new SnapshotReader(key, source);
  }

  private get chunks(): ChunkReader {
    return this.reader.chunks;
  }

  async restore(manifest: Manifest, target: string, options: { paths?: string[] } = {}): Promise<RestoreResult> {
    const started = Date.now();
    const root = path.resolve(target);
    const { roots, ancestors } = await chosenRoots(this.reader, manifest, options.paths);
    for (const e of [...ancestors, ...roots]) safeTargetPath(root, e.path, e.rawPath); // refuse before writing anything
    await mkdir(root, { recursive: true });
    const realRoot = await realpath(root);
    const result: RestoreResult = { files: 0, dirs: 0, bytesWritten: 0, durationMs: 0, failedFiles: [] };
    const asRoot = process.getuid?.() === 0;
    const pool = new TaskPool(FILES_AT_ONCE);
    const dirs: Array<{ entry: TreeEntry; to: string | Buffer }> = [];
    const hardlinks: Array<{ entry: TreeEntry; to: string | Buffer }> = [];
    const symlinks: Array<{ entry: TreeEntry; to: string | Buffer }> = [];
    /** Files that could not be restored (their hard links fail too), and where files with raw names went. */
    const failedPaths = new Set<string>();
    const rawTargets = new Map<string, Buffer>();
    let mtimes: Array<{ path: string | Buffer; mtimeNs: string }> = [];
    const exactMtime = async (to: string | Buffer, mtimeNs: string) => {
      mtimes.push({ path: to, mtimeNs });
      if (mtimes.length >= MTIME_BATCH) {
        const batch = mtimes;
        mtimes = [];
        await setExactMtimes(batch);
      }
    };

    /**
     * Directories this restore created and found inside the target. Symlinks are created only after
     * every file is written, so a file whose directory is here needs no realpath of its own.
     */
    const checkedDirs = new Set<string>();
    /** The entry's directory (its nearest existing ancestor) must resolve inside the target: no writing through symlinks. */
    const insideTarget = async (entryPath: string, file: string | Buffer) => {
      let dir = dirnameOf(file);
      if (checkedDirs.has(dir.toString('latin1'))) return;
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
    const failed = (entryPath: string, error: unknown) => {
      if (error instanceof PathEscapeError) throw error;
      failedPaths.add(entryPath);
      result.failedFiles.push({ path: entryPath, reason: (error as Error).message });
    };
    /** Modes, owners (as root) and times of a file or directory. */
    const applyMetadata = async (entry: TreeEntry, to: string | Buffer) => {
      const time = seconds(entry.mtimeNs); // microsecond-close; setExactMtimes makes it exact
      if (asRoot) await chown(to, entry.uid, entry.gid);
      await chmod(to, entry.mode);
      await utimes(to, time, time);
      await exactMtime(to, entry.mtimeNs);
    };
    const makeDirectory = async (entry: TreeEntry, to: string | Buffer) => {
      if (to !== root) await insideTarget(entry.path, to);
      await mkdir(to, { recursive: true });
      const real = typeof to === 'string' ? await realpath(to) : await realpath(to, { encoding: 'buffer' });
      if (!isWithin(real, realRoot)) throw new PathEscapeError(entry.path, `it resolves to ${real}, outside the target`);
      checkedDirs.add(to.toString('latin1'));
      result.dirs++;
      dirs.push({ entry, to });
    };
    /** Writes a file's content (`content`: the file itself, or a hard link's first link) and its metadata (from `entry`). */
    const writeFile = async (entry: TreeEntry, content: TreeEntry, to: string | Buffer, locations: Map<string, ChunkLocation>) => {
      let written = 0; // this file's bytes, taken back from the totals if it fails
      try {
        await insideTarget(entry.path, to);
        const handle = await createExclusive(to);
        try {
          for await (const data of this.chunks.chunks(content.chunks ?? [], locations)) {
            await writeAll(handle, data);
            result.bytesWritten += data.length;
            written += data.length;
          }
        } finally {
          await handle.close();
        }
        // Reported restored only when every byte the snapshot holds is in the file.
        if (written !== (content.size ?? written)) throw new Error(`wrote ${written} of its ${content.size} bytes`);
        await applyMetadata(entry, to);
        if (typeof to !== 'string') rawTargets.set(entry.path, to);
        result.files++;
        this.onProgress?.({ files: result.files, bytesWritten: result.bytesWritten });
      } catch (error) {
        result.bytesWritten -= written;
        await rm(to, { force: true }).catch(() => undefined);
        failed(entry.path, error);
      }
    };
    const restoreEntry = async (entry: TreeEntry, to: string | Buffer, locations: Map<string, ChunkLocation>) => {
      if (entry.type === 'file') await pool.run(() => writeFile(entry, entry, to, locations));
      else if (entry.type === 'hardlink') hardlinks.push({ entry, to });
      else if (entry.type === 'symlink') symlinks.push({ entry, to });
    };

    for (const a of ancestors) await makeDirectory(a, safeTargetPath(root, a.path, a.rawPath));
    for (const start of roots) {
      if (start.type !== 'dir') {
        await restoreEntry(start, safeTargetPath(root, start.path, start.rawPath), await locateAll(this.source, start.chunks ?? []));
        continue;
      }
      const unreadable = (dir: TreeEntry, error: Error) => {
        if (error instanceof UnsafeEntryError) throw new PathEscapeError(error.entryPath, error.reason); // a forged tree: stop
        failed(dir.path, new Error(`directory listing unreadable, its contents are not restored: ${error.message}`));
      };
      for await (const { dir, entries, locations } of this.reader.walk(manifest, start, { onUnreadable: unreadable })) {
        const targets = entries.map((e) => safeTargetPath(root, e.path, e.rawPath)); // the whole directory is refused before any of it is written
        this.chunks.preferWholePacks(packsOfManySmallFiles(entries, locations));
        await makeDirectory(dir, safeTargetPath(root, dir.path, dir.rawPath));
        for (let i = 0; i < entries.length; i++) await restoreEntry(entries[i], targets[i], locations);
      }
    }
    await pool.drain();

    for (const { entry, to } of hardlinks) {
      const linkTo = entry.linkTo!;
      if (!under(roots, linkTo)) {
        // The first link is not being restored: this link gets the content as a file of its own.
        const content = await this.reader.find(manifest, linkTo);
        if (content?.type !== 'file') failed(entry.path, new Error(`hard link to ${linkTo}, which is not a file in the snapshot`));
        else {
          const locations = await locateAll(this.source, content.chunks ?? []);
          await pool.run(() => writeFile(entry, content, to, locations));
        }
        continue;
      }
      try {
        if (failedPaths.has(linkTo)) throw new Error(`hard link to ${linkTo}, which could not be restored`);
        await insideTarget(entry.path, to);
        const first = rawTargets.get(linkTo) ?? safeTargetPath(root, linkTo);
        // the first link's directory too: through a symlink already in the target, link() would tie this entry to a file outside
        await insideTarget(entry.path, first).catch((error: unknown) => {
          throw error instanceof PathEscapeError ? new PathEscapeError(entry.path, `its first link ${linkTo} lies outside the target (${error.message})`) : error;
        });
        await rm(to, { force: true });
        await link(first, to);
        result.files++;
      } catch (error) {
        failed(entry.path, error);
      }
    }
    await pool.drain();
    for (const { entry, to } of symlinks) {
      try {
        await insideTarget(entry.path, to);
        await rm(to, { force: true });
        await symlink(entry.rawTarget !== undefined ? decodeRaw(entry.rawTarget) : entry.target!, to);
        if (asRoot) await lchown(to, entry.uid, entry.gid);
        const time = seconds(entry.mtimeNs);
        await lutimes(to, time, time);
        await exactMtime(to, entry.mtimeNs);
        result.files++;
      } catch (error) {
        failed(entry.path, error);
      }
    }
    // Directories last and deepest first: writing into a directory changes its mtime.
    for (const { entry, to } of dirs.sort((a, b) => b.entry.path.length - a.entry.path.length)) {
      await applyMetadata(entry, to).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await setExactMtimes(mtimes);
    // Files restore several at a time: report failures in path order, the same on every run.
    result.failedFiles.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    result.durationMs = Date.now() - started;
    return result;
  }

  /** Streams one file of a snapshot, verifying each chunk. */
  async restoreFileToStream(manifest: Manifest, filePath: string, out: Writable): Promise<number> {
    let entry = await this.reader.find(manifest, filePath);
    if (entry?.type === 'hardlink') entry = await this.reader.find(manifest, entry.linkTo!);
    if (!entry || entry.type !== 'file') throw new Error(`${filePath} is not a file in snapshot ${manifest.snapshotId}`);
    const locations = await locateAll(this.source, entry.chunks ?? []);
    let written = 0;
    for await (const data of this.chunks.chunks(entry.chunks ?? [], locations)) {
      if (!out.write(data)) await new Promise((resolve) => out.once('drain', resolve));
      written += data.length;
    }
    return written;
  }
}

/**
 * Creates a file that must not exist yet (O_EXCL: never through a symlink in its place); a file
 * or link already there (a restore into a used target) is removed first.
 */
async function createExclusive(to: string | Buffer) {
  try {
    return await open(to, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await rm(to, { force: true });
    return open(to, 'wx', 0o600);
  }
}

/**
 * Writes all of `data`: a write may store only part of it (a disk that fills up takes what fits
 * and reports ENOSPC only on the next write), so the rest is written until none is left.
 */
async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error(`ENOSPC: no space left on device, write stored 0 of ${data.length - offset} bytes`), { code: 'ENOSPC' });
    offset += bytesWritten;
  }
}

/** Files at most this large count as small: one ranged read each would cost more in requests than in bytes. */
const SMALL_FILE = 256 * 1024;
/** A pack that holds this many of a directory's small files is read whole. */
const SMALL_FILES_PER_WHOLE_PACK = 8;

/** The packs holding SMALL_FILES_PER_WHOLE_PACK or more of these entries' small files. */
function packsOfManySmallFiles(entries: TreeEntry[], locations: Map<string, ChunkLocation>): string[] {
  const counts = new Map<string, number>();
  for (const e of entries) {
    if (e.type !== 'file' || (e.size ?? 0) > SMALL_FILE) continue;
    for (const pack of new Set((e.chunks ?? []).map((id) => locations.get(id)?.packKey))) {
      if (pack) counts.set(pack, (counts.get(pack) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, n]) => n >= SMALL_FILES_PER_WHOLE_PACK).map(([pack]) => pack);
}

/** Nanoseconds since the epoch (a decimal string) as the seconds utimes takes. */
function seconds(ns: string): number {
  return Number(BigInt(ns) / 1000n) / 1e6;
}
