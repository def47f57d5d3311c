import { Manifest, TreeEntry } from './manifest';
import { SnapshotReader } from './snapshot-reader';

/**
 * `k` items drawn uniformly from a sequence of unknown length, in one pass, holding only `k`
 * (reservoir sampling, Algorithm R): a test restore samples a snapshot of millions of files
 * without listing them all in memory. `random` returns [0, 1) (seeded in tests).
 */
export async function reservoirSample<T>(items: AsyncIterable<T> | Iterable<T>, k: number, random: () => number = Math.random): Promise<T[]> {
  const kept: T[] = [];
  let seen = 0;
  for await (const item of items) {
    seen++;
    if (kept.length < k) kept.push(item);
    else {
      const j = Math.floor(random() * seen);
      if (j < k) kept[j] = item;
    }
  }
  return kept;
}

/** Every regular file of a snapshot, as the reader walks it one directory at a time. */
async function* filesOf(reader: SnapshotReader, manifest: Manifest): AsyncGenerator<TreeEntry> {
  for await (const visit of reader.walk(manifest, manifest.root, { locate: false })) {
    for (const entry of visit.entries) if (entry.type === 'file') yield entry;
  }
}

/** The paths of `k` files of a snapshot, drawn at random, sorted (what a test restore restores). */
export async function sampleFilePaths(reader: SnapshotReader, manifest: Manifest, k: number, random?: () => number): Promise<string[]> {
  return (await reservoirSample(filesOf(reader, manifest), k, random)).map((e) => e.path).sort();
}
