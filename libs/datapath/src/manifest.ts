import { MasterKey } from './keys';
import { openObject, sealObject } from './sealer';

export type EntryType = 'dir' | 'file' | 'symlink' | 'hardlink';

/**
 * One entry of a snapshot tree. Paths are absolute within the snapshot ("/" is the source root)
 * and use "/" separators; names are whatever the filesystem returned (unicode included).
 */
export interface TreeEntry {
  path: string;
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

/** Every distinct chunk id a manifest references. */
export function referencedChunks(manifest: Manifest): Set<string> {
  const ids = new Set<string>();
  for (const entry of manifest.entries) for (const id of entry.chunks ?? []) ids.add(id);
  return ids;
}
