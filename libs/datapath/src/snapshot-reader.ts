import { ChunkLocation, ChunkReader, ChunkSource, locateAll } from './chunk-reader';
import { MasterKey } from './keys';
import { Manifest, normalizeSnapshotPath, TreeEntry } from './manifest';
import { baseName, checkEntryType, decodeTree, isCanonicalPath, UnsafeEntryError } from './tree';

/** One directory of a walk: its entry, its children, and where their chunks are. */
export interface DirectoryVisit {
  dir: TreeEntry;
  entries: TreeEntry[];
  /**
   * Locations of every chunk the children reference (file contents, subdirectories' listings),
   * from one batched locate per directory. An id the index does not hold is absent.
   */
  locations: Map<string, ChunkLocation>;
}

export interface WalkOptions {
  /** Locate the children's chunks (default true; a walk that only reads listings can skip it). */
  locate?: boolean;
  /**
   * A directory whose listing cannot be read (a damaged or missing chunk): called, and the walk
   * goes on without that subtree. Without it, the walk throws.
   */
  onUnreadable?: (dir: TreeEntry, error: Error) => void;
}

/** Chunk ids a directory's children reference: file contents and subdirectories' listings. */
export function referencedIds(entries: TreeEntry[]): string[] {
  const ids: string[] = [];
  for (const e of entries) for (const id of e.chunks ?? e.tree ?? []) ids.push(id);
  return ids;
}

/**
 * Reads a snapshot's tree one directory at a time (see tree.ts): a listing is read when it is
 * needed, so memory holds the listings on the current path, not the snapshot. Version 1
 * manifests, whose tree is inline, are read through the same calls.
 */
export class SnapshotReader {
  readonly chunks: ChunkReader;
  private readonly inline = new WeakMap<Manifest, Map<string, TreeEntry[]>>();

  constructor(key: MasterKey, readonly source: ChunkSource) {
    this.chunks = new ChunkReader(key, source);
  }

  /** A directory's children, sorted by name, with full paths; `locations` may already hold its listing's chunks. */
  async listing(manifest: Manifest, dir: TreeEntry, locations?: Map<string, ChunkLocation>): Promise<TreeEntry[]> {
    if (dir.type !== 'dir') throw new Error(`${dir.path} is not a directory`);
    if (manifest.entries) return this.inlineListing(manifest).get(dir.path) ?? [];
    return decodeTree(await this.chunks.readAll(dir.tree ?? [], locations), dir);
  }

  /** The entries from the root down to `path` (root first), reading only the listings on the way; undefined when the snapshot has no such path. */
  async pathTo(manifest: Manifest, path: string): Promise<TreeEntry[] | undefined> {
    const normalized = normalizeSnapshotPath(path);
    const chain = [manifest.root];
    if (normalized === '/') return chain;
    for (const name of normalized.slice(1).split('/')) {
      const current = chain[chain.length - 1];
      if (current.type !== 'dir') return undefined;
      const child = (await this.listing(manifest, current)).find((e) => baseName(e.path) === name);
      if (!child) return undefined;
      chain.push(child);
    }
    return chain;
  }

  /** The entry at a path, or undefined. */
  async find(manifest: Manifest, path: string): Promise<TreeEntry | undefined> {
    return (await this.pathTo(manifest, path))?.pop();
  }

  /**
   * What `ls PATH` shows: a directory's entries, or the entry itself when PATH names anything else
   * (a file, a link); undefined when the snapshot has no such path.
   */
  async list(manifest: Manifest, path: string): Promise<TreeEntry[] | undefined> {
    const entry = await this.find(manifest, path);
    if (!entry) return undefined;
    return entry.type === 'dir' ? this.listing(manifest, entry) : [entry];
  }

  /**
   * Every directory from `from` (default the root) down, depth first, each before its
   * subdirectories, with its children and their chunks' locations. Memory holds the directories
   * still to visit, not their listings.
   */
  async *walk(manifest: Manifest, from: TreeEntry = manifest.root, options: WalkOptions = {}): AsyncGenerator<DirectoryVisit> {
    const stack: Array<{ dir: TreeEntry; locations?: Map<string, ChunkLocation> }> = [{ dir: from }];
    while (stack.length > 0) {
      const { dir, locations: listingAt } = stack.pop()!;
      let entries: TreeEntry[];
      try {
        entries = await this.listing(manifest, dir, listingAt);
      } catch (error) {
        if (!options.onUnreadable) throw error;
        options.onUnreadable(dir, error as Error);
        continue;
      }
      const locations = options.locate === false ? new Map<string, ChunkLocation>() : await locateAll(this.source, referencedIds(entries));
      yield { dir, entries, locations };
      const subdirs = entries.filter((e) => e.type === 'dir');
      for (let i = subdirs.length - 1; i >= 0; i--) {
        const tree = subdirs[i].tree ?? [];
        stack.push({ dir: subdirs[i], locations: tree.every((id) => locations.has(id)) ? new Map(tree.map((id) => [id, locations.get(id)!])) : undefined });
      }
    }
  }

  /** Version 1: the inline entries by directory, built once per manifest. */
  private inlineListing(manifest: Manifest): Map<string, TreeEntry[]> {
    let byDir = this.inline.get(manifest);
    if (!byDir) {
      byDir = new Map();
      for (const e of manifest.entries ?? []) {
        if (!isCanonicalPath(e.path)) throw new UnsafeEntryError(e.path, `the snapshot holds an entry at ${JSON.stringify(e.path)}, which could name a place outside it`);
        if (e.path === '/') continue;
        checkEntryType(e.path, e.type); // as tree objects are checked (it was skipped without a word)
        const parent = e.path.slice(0, e.path.lastIndexOf('/')) || '/';
        if (!byDir.has(parent)) byDir.set(parent, []);
        byDir.get(parent)!.push(e);
      }
      this.inline.set(manifest, byDir);
    }
    return byDir;
  }
}
