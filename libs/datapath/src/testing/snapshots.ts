import { ChunkSource } from '../chunk-reader';
import { ChunkRepository, ChunkSink } from '../chunk-sink';
import { MasterKey } from '../keys';
import { createManifest, Manifest, SnapshotSource, sortEntries, TreeEntry } from '../manifest';
import { SnapshotReader } from '../snapshot-reader';
import { encodeTree } from '../tree';

/**
 * A snapshot whose tree is given inline (a version 1 manifest): for tests that build trees by
 * hand, forged ones included. Readers treat it as they treat any manifest.
 */
export function inlineManifest(init: { snapshotId: string; source?: SnapshotSource; entries: TreeEntry[] }): Manifest {
  const entries = sortEntries(init.entries);
  const root = entries.find((e) => e.path === '/');
  if (!root) throw new Error('an inline manifest needs a root entry "/"');
  return { version: 1, snapshotId: init.snapshotId, time: new Date().toISOString(), hostname: 'test', source: init.source ?? { kind: 'directory', path: '/src' }, root, entries };
}

/** Every entry of a snapshot, the root first, read back through its tree objects. */
export async function allEntries(key: MasterKey, source: ChunkSource, manifest: Manifest): Promise<TreeEntry[]> {
  const out = [manifest.root];
  for await (const visit of new SnapshotReader(key, source).walk(manifest, manifest.root, { locate: false })) out.push(...visit.entries);
  return sortEntries(out);
}

/**
 * A version 2 snapshot of hand-built entries: their listings written as tree objects into `repo`
 * (each listing one chunk), as the archiver writes them.
 */
export async function treeManifest(key: MasterKey, repo: ChunkRepository, init: { snapshotId: string; source?: SnapshotSource; entries: TreeEntry[] }): Promise<Manifest> {
  const sink = new ChunkSink(key, repo);
  const children = new Map<string, TreeEntry[]>();
  for (const e of sortEntries(init.entries)) {
    if (e.path === '/') continue;
    const parent = e.path.slice(0, e.path.lastIndexOf('/')) || '/';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(e);
  }
  const store = async (dir: TreeEntry): Promise<TreeEntry> => {
    const listed: TreeEntry[] = [];
    for (const child of children.get(dir.path) ?? []) listed.push(child.type === 'dir' ? await store(child) : child);
    return { ...dir, tree: [await sink.add(encodeTree(listed))] };
  };
  const root = init.entries.find((e) => e.path === '/');
  if (!root) throw new Error('a snapshot needs a root entry "/"');
  const stored = await store(root);
  await sink.finish();
  return createManifest({ snapshotId: init.snapshotId, source: init.source ?? { kind: 'directory', path: '/src' }, root: stored });
}

/** The manifest a backup's result makes (as ingest writes it), for tests. */
export function manifestOfResult(result: { root: TreeEntry }, snapshotId = '0'.repeat(64), source: SnapshotSource = { kind: 'directory', path: '/src' }): Manifest {
  return createManifest({ snapshotId, source, root: result.root });
}

/** Every entry a backup's result holds, read back through its tree objects. */
export function entriesOf(key: MasterKey, source: ChunkSource, result: { root: TreeEntry }): Promise<TreeEntry[]> {
  return allEntries(key, source, manifestOfResult(result));
}
