import type { CheckRepair, DamagedChunk, SupersededCopy } from '@arca/contracts';

export interface ChunkInPack {
  id: string;
  packKey: string;
}

/**
 * The dedupe-index rows a repair removes: each damaged chunk in the pack the check found it damaged
 * in, and each missing chunk (no pack holds it) where the index still places it (`indexed`: chunk
 * id → pack key). Naming the pack keeps a chunk that a later backup already stored again elsewhere.
 * Damage that is not one chunk's (an unreadable manifest) has nothing to forget.
 */
export function chunksToForget(damaged: DamagedChunk[], indexed: Map<string, string>): ChunkInPack[] {
  const out = new Map<string, ChunkInPack>();
  for (const d of damaged) {
    if (!d.chunkId) continue;
    const packKey = d.packKey || indexed.get(d.chunkId);
    if (packKey) out.set(`${d.chunkId} ${packKey}`, { id: d.chunkId, packKey });
  }
  return [...out.values()];
}

/**
 * Separates damage restores still meet from damaged copies they no longer read: a chunk found bad
 * in one pack while the index places it in another pack that exists (`packKeys`) and where the check
 * found no damage is superseded — a backup after a repair stored it again, and every snapshot that
 * uses it restores from the new copy.
 */
export function splitSuperseded(damaged: DamagedChunk[], indexed: Map<string, string>, packKeys: Set<string>): { damaged: DamagedChunk[]; superseded: SupersededCopy[] } {
  const badCopies = new Set(damaged.map((d) => `${d.chunkId} ${d.packKey}`));
  const out = { damaged: [] as DamagedChunk[], superseded: [] as SupersededCopy[] };
  for (const d of damaged) {
    const indexedIn = d.chunkId ? indexed.get(d.chunkId) : undefined;
    if (d.packKey && indexedIn && indexedIn !== d.packKey && packKeys.has(indexedIn) && !badCopies.has(`${d.chunkId} ${indexedIn}`)) {
      out.superseded.push({ chunkId: d.chunkId, packKey: d.packKey, reason: d.reason, indexedIn });
    } else out.damaged.push(d);
  }
  return out;
}

/** What a repair did, and what it leaves damaged, for the check report. */
export function repairSummary(damaged: DamagedChunk[], forgotten: string[]): CheckRepair {
  const gone = new Set(forgotten);
  const notIndexedThere = [...new Set(damaged.map((d) => d.chunkId).filter((id) => id && !gone.has(id)))];
  const bySnapshot = new Map<string, Set<string>>();
  for (const d of damaged) {
    for (const snapshotId of d.snapshots) {
      const files = bySnapshot.get(snapshotId) ?? new Set<string>();
      for (const file of d.files) files.add(file);
      bySnapshot.set(snapshotId, files);
    }
  }
  const damagedSnapshots = [...bySnapshot].map(([snapshotId, files]) => ({ snapshotId, files: [...files].sort() }));
  const stay = damagedSnapshots.length === 0
    ? 'No snapshot references the damaged data.'
    : `${damagedSnapshots.length} existing snapshot(s) still reference the damaged data and stay damaged (repair rewrites no snapshot and deletes no pack); such a snapshot restores completely again only once a later backup has stored the same data.`;
  const next = forgotten.length > 0
    ? `${forgotten.length} chunk(s) removed from the dedupe index: the next backup of each affected source reads those files again and stores their data anew.`
    : 'No chunk needed to be removed from the dedupe index (the damaged data was already stored again, or the index no longer held it, so the next backup stores it).';
  return { forgotten, notIndexedThere, damagedSnapshots, note: `${next} ${stay}` };
}
