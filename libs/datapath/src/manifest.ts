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
  /** dir: the chunks of its listing, a tree object (tree.ts). */
  tree?: string[];
}

export interface SnapshotSource {
  kind: 'directory' | 'postgres' | 'stream';
  path?: string;
  connection?: string;
  name?: string;
}

/**
 * A snapshot's manifest: what was backed up, when, from where, and its root directory. Version 2
 * keeps the tree out of the manifest: `root.tree` names the chunks of the root's listing, whose
 * directories name theirs (tree.ts), so a manifest stays a few hundred bytes at any size.
 * Version 1 manifests (written before tree objects) hold every entry inline in `entries`; they are
 * read as before, with `root` taken from them.
 */
export interface Manifest {
  version: 1 | 2;
  snapshotId: string;
  time: string;
  hostname: string;
  source: SnapshotSource;
  parentId?: string;
  root: TreeEntry;
  /** Version 1 only: the whole tree, sorted by path, parents before children. */
  entries?: TreeEntry[];
  /**
   * The repository the snapshot belongs to (its key file's id), and what the catalogue records of
   * it, so the catalogue can be rebuilt from the object store alone (`arca repository recover`).
   * Absent in manifests written before recovery existed: they are read as the `default` tenant's.
   */
  repositoryId?: string;
  tenant?: string;
  policyId?: string;
  jobId?: string;
  /** The backup's figures, with `bytesStored` not counting the manifest itself (its object size is added back). */
  stats?: Record<string, unknown>;
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
  if (manifest.version === 1 && Array.isArray(manifest.entries)) {
    const root = manifest.entries.find((e) => e.path === '/');
    if (!root || root.type !== 'dir') throw new Error(`snapshot ${snapshotId}: version 1 manifest without a root directory`);
    return { ...manifest, root };
  }
  if (manifest.version !== 2) throw new Error(`snapshot ${snapshotId}: unsupported manifest version ${manifest.version}`);
  if (manifest.root?.path !== '/' || manifest.root.type !== 'dir' || !Array.isArray(manifest.root.tree)) throw new Error(`snapshot ${snapshotId}: the manifest has no root tree`);
  return manifest;
}

/** A snapshot path in its canonical form: "/" or "/a/b", whatever slashes the caller gave. */
export function normalizeSnapshotPath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}`;
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

/** A new (version 2) manifest around an archived root directory. */
export function createManifest(init: { snapshotId: string; source: SnapshotSource; root: TreeEntry; hostname?: string; time?: Date; parentId?: string }): Manifest {
  return {
    version: 2,
    snapshotId: init.snapshotId,
    time: (init.time ?? new Date()).toISOString(),
    hostname: init.hostname ?? os.hostname(),
    source: init.source,
    ...(init.parentId ? { parentId: init.parentId } : {}),
    root: init.root,
  };
}
