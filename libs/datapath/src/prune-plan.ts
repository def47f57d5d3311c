/** A pack as a prune sees it: its size, its state in the index, and the chunks the index places in it. */
export interface PackUsage {
  key: string;
  /** Bytes of the pack object. */
  size: number;
  state: 'live' | 'condemned';
  /** Chunks the pack was recorded with; more than `chunks` holds when check --repair made the index forget damaged copies. */
  chunkCount: number;
  /** The chunks the index places here, with their sealed lengths. */
  chunks: Array<{ id: string; length: number }>;
}

export interface PrunePlan {
  /** Packs no live snapshot needs: condemned now (live ones), or kept condemned (an earlier prune's). */
  condemn: string[];
  /** Packs an earlier prune condemned that a live snapshot needs after all. */
  rescue: string[];
  /** Packs whose referenced chunks are copied into new packs, after which they are condemned too; with the ids to copy. */
  rewrite: Array<{ key: string; keep: string[]; unused: number }>;
  bytesStored: number;
  /** Bytes in packs that no live snapshot references, before and after the plan. */
  unusedBefore: number;
  unusedAfter: number;
  /** Bytes of the packs condemned or rewritten (the rewritten ones' live chunks are written again). */
  bytesReleased: number;
  bytesRewritten: number;
}

/**
 * Decides what a prune deletes and rewrites, as restic's prune does: every pack that holds nothing
 * live goes; then packs are rewritten, most unused first, until the unused bytes left are at most
 * `maxUnused` (a fraction) of what stays stored. Packs holding copies the index forgot (damaged
 * copies that check --repair dropped) are always rewritten, so their bad bytes are reclaimed. Packs
 * under an object lock (`locked`) are neither deleted nor rewritten: they stay until their date. Pure:
 * the caller reads the index and the snapshots.
 */
export function planPrune(packs: Iterable<PackUsage>, referenced: ReadonlySet<string>, maxUnused: number, locked: ReadonlySet<string> = new Set()): PrunePlan {
  const plan: PrunePlan = { condemn: [], rescue: [], rewrite: [], bytesStored: 0, unusedBefore: 0, unusedAfter: 0, bytesReleased: 0, bytesRewritten: 0 };
  const partial: Array<{ key: string; keep: string[]; used: number; unused: number; size: number; forced: boolean }> = [];
  for (const pack of packs) {
    plan.bytesStored += pack.size;
    const keep = pack.chunks.filter((c) => referenced.has(c.id));
    if (locked.has(pack.key)) {
      if (pack.state === 'condemned') plan.rescue.push(pack.key);
      plan.unusedBefore += pack.size - keep.reduce((n, c) => n + c.length, 0);
      plan.unusedAfter += pack.size - keep.reduce((n, c) => n + c.length, 0);
      continue;
    }
    if (keep.length === 0) {
      plan.condemn.push(pack.key);
      plan.unusedBefore += pack.size;
      plan.bytesReleased += pack.size;
      continue;
    }
    if (pack.state === 'condemned') plan.rescue.push(pack.key);
    const used = keep.reduce((n, c) => n + c.length, 0);
    const unused = Math.max(0, pack.size - used);
    plan.unusedBefore += unused;
    partial.push({ key: pack.key, keep: keep.map((c) => c.id), used, unused, size: pack.size, forced: pack.chunkCount > pack.chunks.length });
  }
  let unused = partial.reduce((n, p) => n + p.unused, 0);
  let stored = plan.bytesStored - plan.bytesReleased;
  const take = (p: (typeof partial)[number]) => {
    plan.rewrite.push({ key: p.key, keep: p.keep, unused: p.unused });
    unused -= p.unused;
    stored -= p.unused; // the live bytes are written again into new packs
    plan.bytesReleased += p.size;
    plan.bytesRewritten += p.used;
  };
  for (const p of partial.filter((x) => x.forced)) take(p);
  const rest = partial.filter((p) => !p.forced && p.unused > 0).sort((a, b) => b.unused / b.size - a.unused / a.size || b.unused - a.unused);
  for (const p of rest) {
    if (unused <= maxUnused * stored) break;
    take(p);
  }
  plan.unusedAfter += unused;
  return plan;
}

/**
 * A re-seal (`arca keys master reseal`, a prune with resealOldGenerations): the packs sealed under
 * a key generation older than `current` that the plan does not already delete or rewrite, added to
 * its rewrite list with their referenced chunks, so the rewrite seals them under the newest
 * generation. Packs under an object lock stay (rewriting would only copy them). `generationOf`:
 * each pack's generation, read from its first bytes by the caller.
 */
export function planReseal(plan: PrunePlan, packs: Iterable<PackUsage>, referenced: ReadonlySet<string>, generationOf: ReadonlyMap<string, number>, current: number, locked: ReadonlySet<string> = new Set()): PrunePlan {
  const planned = new Set([...plan.condemn, ...plan.rewrite.map((r) => r.key)]);
  const rewrite = [...plan.rewrite];
  let bytesRewritten = plan.bytesRewritten;
  let bytesReleased = plan.bytesReleased;
  for (const pack of packs) {
    const generation = generationOf.get(pack.key);
    if (generation === undefined || generation >= current || planned.has(pack.key) || locked.has(pack.key)) continue;
    const keep = pack.chunks.filter((c) => referenced.has(c.id));
    if (keep.length === 0) continue; // planPrune condemns such a pack already
    const used = keep.reduce((n, c) => n + c.length, 0);
    rewrite.push({ key: pack.key, keep: keep.map((c) => c.id), unused: Math.max(0, pack.size - used) });
    bytesRewritten += used;
    bytesReleased += pack.size;
  }
  return { ...plan, rewrite, bytesRewritten, bytesReleased };
}
