import { EntryType, TreeEntry } from './manifest';
import { decodeRaw, encodeRaw, joinName, rawSegments } from './raw-path';

/**
 * Tree objects: a snapshot's directory tree is stored one directory at a time, as restic and Kopia
 * do. A directory's listing (its children's names and metadata, a file's chunk ids, a
 * subdirectory's own tree) is encoded here, cut by the chunker and stored as chunks like file
 * data: deduplicated, compressed, encrypted, packed. So a snapshot never needs its whole tree in
 * memory, an unchanged directory encodes to the same bytes and costs nothing in the next backup,
 * and reading one path reads only the listings on the way to it.
 *
 * A listing holds names, not paths: the same directory at two places is stored once. Readers
 * rebuild each entry's `path` (and `rawPath`) from the directory they read it in.
 */

/** One child as a listing stores it: its name (the path follows from where it is listed), then its fields. */
type StoredEntry = Omit<TreeEntry, 'path' | 'rawPath'> & {
  name: string;
  /** The name's bytes, base64, only when they are not UTF-8 (`name` is then the readable form). */
  rawName?: string;
};

const TREE_VERSION = 1;

/**
 * A tree that names an entry no filesystem could have given (`..`, a name with "/"): only a
 * forged or broken snapshot does. Restores stop at it rather than write anything it names.
 */
export class UnsafeEntryError extends Error {
  constructor(readonly entryPath: string, readonly reason: string) {
    super(reason);
    this.name = 'UnsafeEntryError';
  }
}

/** Whether a snapshot path is "/" or "/"-separated names none of which is empty, "." or "..". */
export function isCanonicalPath(entryPath: string): boolean {
  return entryPath === '/' || (entryPath.startsWith('/') && !entryPath.includes('\0') && entryPath.slice(1).split('/').every((s) => s !== '' && s !== '.' && s !== '..'));
}

/** The last name of a snapshot path. */
export function baseName(entryPath: string): string {
  return entryPath.slice(entryPath.lastIndexOf('/') + 1);
}

/**
 * A directory's listing as bytes: its children, sorted by name, each field in a fixed order, so
 * the same directory always encodes to the same bytes (and so to the same chunks).
 */
export function encodeTree(children: TreeEntry[]): Buffer {
  const stored = children.map((e): StoredEntry => {
    const raw = e.rawPath !== undefined ? rawSegments(decodeRaw(e.rawPath)).pop()! : undefined;
    return {
      name: baseName(e.path), ...(raw ? { rawName: encodeRaw(raw) } : {}), type: e.type, mode: e.mode, mtimeNs: e.mtimeNs, uid: e.uid, gid: e.gid,
      ...(e.size !== undefined ? { size: e.size } : {}), ...(e.chunks ? { chunks: e.chunks } : {}), ...(e.target !== undefined ? { target: e.target } : {}),
      ...(e.rawTarget !== undefined ? { rawTarget: e.rawTarget } : {}), ...(e.linkTo !== undefined ? { linkTo: e.linkTo } : {}),
      ...(e.inode !== undefined ? { inode: e.inode } : {}), ...(e.dev !== undefined ? { dev: e.dev } : {}), ...(e.tree ? { tree: e.tree } : {}),
    };
  });
  stored.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Buffer.from(JSON.stringify({ v: TREE_VERSION, entries: stored }));
}

const TYPES = new Set<EntryType>(['dir', 'file', 'symlink', 'hardlink']);
const CHUNK_ID = /^[0-9a-f]{64}$/;

/** Refuses an entry of a type a backup never writes (a device node, a FIFO: a forged or broken tree), naming it. */
export function checkEntryType(entryPath: string, type: unknown): void {
  if (!TYPES.has(type as EntryType)) throw new Error(`${entryPath}: unknown entry type ${JSON.stringify(type)}`);
}

/**
 * The children of directory `dir`, with their full paths, from its listing's bytes. A listing is
 * checked as it is read: a name that is empty, `.`, `..` or holds "/" or NUL (which no filesystem
 * gives, so only a forged or broken tree can) is refused with the directory and the name, before
 * anything of the directory is used.
 */
export function decodeTree(bytes: Buffer, dir: Pick<TreeEntry, 'path' | 'rawPath'>): TreeEntry[] {
  let parsed: { v?: number; entries?: StoredEntry[] };
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`the listing of ${dir.path} is not a tree object: ${(error as Error).message}`, { cause: error });
  }
  if (parsed?.v !== TREE_VERSION || !Array.isArray(parsed.entries)) throw new Error(`the listing of ${dir.path} is not a version ${TREE_VERSION} tree object`);
  const parentRaw = dir.rawPath !== undefined ? decodeRaw(dir.rawPath) : undefined;
  const seen = new Set<string>();
  return parsed.entries.map((s) => {
    if (typeof s?.name !== 'string' || s.name === '' || s.name === '.' || s.name === '..' || /[/\0]/.test(s.name)) {
      throw new UnsafeEntryError(`${dir.path === '/' ? '' : dir.path}/${String(s?.name)}`, `the listing of ${dir.path} holds an entry named ${JSON.stringify(s?.name)}, which is not a file name`);
    }
    // one name, two entries (a symlink out and a directory "inside" it): no directory holds that
    const unique = s.rawName ?? s.name;
    if (seen.has(unique)) throw new UnsafeEntryError(`${dir.path === '/' ? '' : dir.path}/${s.name}`, `the listing of ${dir.path} holds two entries named ${JSON.stringify(s.name)}`);
    seen.add(unique);
    checkEntryType(`${dir.path}/${s.name}`, s.type);
    for (const id of [...(s.chunks ?? []), ...(s.tree ?? [])]) if (!CHUNK_ID.test(id)) throw new Error(`${dir.path}/${s.name}: ${JSON.stringify(id)} is not a chunk id`);
    const path = dir.path === '/' ? `/${s.name}` : `${dir.path}/${s.name}`;
    let rawPath: string | undefined;
    if (s.rawName !== undefined || parentRaw) {
      const name = s.rawName !== undefined ? decodeRaw(s.rawName) : Buffer.from(s.name);
      if (name.length === 0 || name.includes(0) || name.includes(0x2f)) throw new UnsafeEntryError(path, `the listing of ${dir.path} holds a raw name that is not a file name`);
      rawPath = encodeRaw(joinName(parentRaw ?? dir.path, name) as Buffer);
    }
    const { name: _name, rawName: _rawName, ...rest } = s;
    return { ...rest, path, ...(rawPath !== undefined ? { rawPath } : {}) };
  });
}
