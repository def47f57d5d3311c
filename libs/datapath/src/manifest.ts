import os from 'node:os';
import { MasterKey } from './keys';
import { openObject, sealObject } from './sealer';

export type EntryType = 'dir' | 'file' | 'symlink' | 'hardlink';

/**
 * One entry of a snapshot tree. Paths are absolute within the snapshot ("/" is the source root)
 * and use "/" separators; names are whatever the filesystem returned (unicode included; bytes
 * that are not UTF-8 are escaped in `path` and kept exactly in `rawPath`).
 */
export interface TreeEntry {
  /**
   * Readable path. A name that is not valid UTF-8 (Linux allows any bytes but "/" and NUL) is
   * written here with each such byte as `\xHH`, and `~2`, `~3`… appended should that equal another
   * name in its directory, so paths stay unique; `rawPath` then holds the exact bytes.
   */
  path: string;
  /** Only when a name on the path is not UTF-8: the path's bytes, base64. Restore writes these. */
  rawPath?: string;
  type: EntryType;
  mode: number;
  /** Nanoseconds since the epoch, as a decimal string (beyond Number's precision). */
  mtimeNs: string;
  uid: number;
  gid: number;
  size?: number;
  /** file: chunk ids (hex) in order. */
  chunks?: string[];
  /** symlink: the link's target, stored verbatim. */
  target?: string;
  /** symlink: the target's bytes, base64, only when they are not UTF-8 (`target` is then readable). */
  rawTarget?: string;
  /** hardlink: the path of the first link to the same inode in this snapshot. */
  linkTo?: string;
  /** Identity for the incremental check: unchanged size, mtime and inode reuse the chunk list. */
  inode?: number;
  dev?: number;
}

export interface SnapshotSource {
  kind: 'directory' | 'postgres' | 'stream';
  path?: string;
  connection?: string;
  name?: string;
}

export interface Manifest {
  version: 1;
  snapshotId: string;
  time: string;
  hostname: string;
  source: SnapshotSource;
  parentId?: string;
  /** Sorted by path, parents before children. */
  entries: TreeEntry[];
}

export function manifestKey(snapshotId: string): string {
  return `snapshots/${snapshotId}`;
}

/** Manifests are compressed and encrypted like chunks; the label binds one to its snapshot id. */
export function encodeManifest(key: MasterKey, manifest: Manifest): Promise<Buffer> {
  return sealObject(key, `arca-manifest:${manifest.snapshotId}`, manifest);
}

export async function decodeManifest(key: MasterKey, snapshotId: string, sealed: Buffer): Promise<Manifest> {
  const manifest = await openObject<Manifest>(key, `arca-manifest:${snapshotId}`, sealed);
  if (manifest.version !== 1) throw new Error(`snapshot ${snapshotId}: unsupported manifest version ${manifest.version}`);
  return manifest;
}

/** Entries directly inside a directory of the snapshot. */
export function listDirectory(manifest: Manifest, dir: string): TreeEntry[] {
  const prefix = dir === '/' ? '/' : `${dir.replace(/\/+$/, '')}/`;
  return manifest.entries.filter((e) => e.path !== '/' && e.path.startsWith(prefix) && !e.path.slice(prefix.length).includes('/'));
}

export function findEntry(manifest: Manifest, path: string): TreeEntry | undefined {
  const normalized = path === '/' ? '/' : `/${path.replace(/^\/+|\/+$/g, '')}`;
  return manifest.entries.find((e) => e.path === normalized);
}

/**
 * What `ls PATH` shows: a directory's entries, or the entry itself when PATH names anything else
 * (a file, a link); undefined when the snapshot has no such path.
 */
export function listPath(manifest: Manifest, path: string): TreeEntry[] | undefined {
  const entry = findEntry(manifest, path);
  if (!entry) return undefined;
  return entry.type === 'dir' ? listDirectory(manifest, entry.path) : [entry];
}

/** Every distinct chunk id a manifest references. */
export function referencedChunks(manifest: Manifest): Set<string> {
  const ids = new Set<string>();
  for (const entry of manifest.entries) for (const id of entry.chunks ?? []) ids.add(id);
  return ids;
}

export interface ManifestStats {
  files: number;
  emptyFiles: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  /** Logical bytes of the regular files (hard links counted once). */
  totalBytes: number;
  /** Chunk references, and distinct chunks among them (the ratio is the deduplication within the snapshot). */
  chunkRefs: number;
  uniqueChunks: number;
  largestFile?: { path: string; size: number };
}

export function manifestStats(manifest: Manifest): ManifestStats {
  const stats: ManifestStats = { files: 0, emptyFiles: 0, dirs: 0, symlinks: 0, hardlinks: 0, totalBytes: 0, chunkRefs: 0, uniqueChunks: 0 };
  const unique = new Set<string>();
  for (const e of manifest.entries) {
    if (e.type === 'dir') stats.dirs++;
    else if (e.type === 'symlink') stats.symlinks++;
    else if (e.type === 'hardlink') stats.hardlinks++;
    else {
      stats.files++;
      const size = e.size ?? 0;
      if (size === 0) stats.emptyFiles++;
      stats.totalBytes += size;
      if (!stats.largestFile || size > stats.largestFile.size) stats.largestFile = { path: e.path, size };
      for (const id of e.chunks ?? []) {
        stats.chunkRefs++;
        unique.add(id);
      }
    }
  }
  stats.uniqueChunks = unique.size;
  return stats;
}

/** Orders entries the way manifests keep them: by path, so every directory precedes its contents. */
export function sortEntries(entries: TreeEntry[]): TreeEntry[] {
  const key = (p: string) => (p === '/' ? '' : p);
  return [...entries].sort((a, b) => {
    const x = key(a.path).split('/');
    const y = key(b.path).split('/');
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return x.length - y.length;
  });
}

/** A new manifest around archived entries. */
export function createManifest(init: { snapshotId: string; source: SnapshotSource; entries: TreeEntry[]; hostname?: string; time?: Date; parentId?: string }): Manifest {
  return {
    version: 1,
    snapshotId: init.snapshotId,
    time: (init.time ?? new Date()).toISOString(),
    hostname: init.hostname ?? os.hostname(),
    source: init.source,
    ...(init.parentId ? { parentId: init.parentId } : {}),
    entries: init.entries,
  };
}
