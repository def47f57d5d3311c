import { ChunkLocation, ChunkSource } from './chunk-reader';
import { MasterKey } from './keys';
import { Manifest } from './manifest';
import { headerRange, openPackHeader, PACK_TRAILER_SIZE, PackEntry, parsePackTrailer } from './pack';
import { referencedIds, SnapshotReader } from './snapshot-reader';

/**
 * Rebuilding what Postgres held from the object store alone (`arca repository recover`): pack
 * headers say where every chunk is, manifests say what every snapshot is, and a walk of each
 * snapshot's tree says whose (which tenant's) each chunk is. Pure over the reads it is handed.
 */

/** A pack as its own header describes it. */
export interface RecoveredPack {
  key: string;
  size: number;
  entries: PackEntry[];
}

/** A pack's header with two ranged reads (its trailer, then the header), never the whole pack. */
export async function readPackHeaderRanged(key: MasterKey, packKey: string, size: number, read: (offset: number, length: number) => Promise<Buffer>): Promise<PackEntry[]> {
  if (size < PACK_TRAILER_SIZE) throw new Error(`${packKey}: ${size} bytes is too short for an Arca pack`);
  const headerLength = parsePackTrailer(await read(size - PACK_TRAILER_SIZE, PACK_TRAILER_SIZE), packKey);
  const range = headerRange(size, headerLength, packKey);
  const sealed = await read(range.offset, range.length);
  if (sealed.length !== range.length) throw new Error(`${packKey}: header read returned ${sealed.length} of ${range.length} bytes`);
  return openPackHeader(key, sealed, range.offset, packKey);
}

/**
 * Chunk locations from pack headers, held in memory: how a recovery reads snapshot trees before
 * any index exists. A chunk in several packs (a crash's second copy, a prune's rewrite not yet
 * swept) is placed in the first pack given.
 */
export class HeaderChunkSource implements ChunkSource {
  private readonly at = new Map<string, ChunkLocation>();

  constructor(packs: Iterable<RecoveredPack>, private readonly store: { get(key: string): Promise<Buffer>; getRange(key: string, offset: number, length: number): Promise<Buffer> }) {
    for (const pack of packs) for (const e of pack.entries) if (!this.at.has(e.id)) this.at.set(e.id, { packKey: pack.key, offset: e.offset, length: e.length });
  }

  async locate(ids: string[]): Promise<Map<string, ChunkLocation>> {
    const out = new Map<string, ChunkLocation>();
    for (const id of ids) {
      const where = this.at.get(id);
      if (where) out.set(id, where);
    }
    return out;
  }

  readPack(packKey: string): Promise<Buffer> {
    return this.store.get(packKey);
  }

  readRange(packKey: string, offset: number, length: number): Promise<Buffer> {
    return this.store.getRange(packKey, offset, length);
  }
}

/**
 * Every chunk id a snapshot references (its directories' listings and its files' contents), one
 * directory at a time. A listing that cannot be read is passed to `onUnreadable` and its subtree
 * skipped (a later `arca check` names it).
 */
export async function* snapshotChunkIds(reader: SnapshotReader, manifest: Manifest, onUnreadable: (path: string, error: Error) => void): AsyncGenerator<string> {
  yield* manifest.root.tree ?? [];
  for await (const { entries } of reader.walk(manifest, manifest.root, { locate: false, onUnreadable: (dir, error) => onUnreadable(dir.path, error) })) {
    yield* referencedIds(entries);
  }
}

/**
 * A pack's chunks grouped by the tenant they belong to, largest group first. A chunk is the
 * tenant's whose snapshot references it (chunk ids are keyed per tenant, so an id belongs to one);
 * one no snapshot references goes with the pack's other chunks (a backup writes packs for one
 * tenant only), or to `fallback` when the pack has no referenced chunk at all.
 */
export function packTenants(pack: RecoveredPack, chunkTenant: ReadonlyMap<string, string>, fallback: string): Array<{ tenant: string; entries: PackEntry[] }> {
  const counts = new Map<string, number>();
  for (const e of pack.entries) {
    const tenant = chunkTenant.get(e.id);
    if (tenant !== undefined) counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
  }
  // The pack's own tenant: the one most of its referenced chunks belong to (ties: by name, so the answer is stable).
  const owner = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? fallback;
  const groups = new Map<string, PackEntry[]>();
  for (const e of pack.entries) {
    const tenant = chunkTenant.get(e.id) ?? owner;
    if (!groups.has(tenant)) groups.set(tenant, []);
    groups.get(tenant)!.push(e);
  }
  return [...groups].map(([tenant, entries]) => ({ tenant, entries })).sort((a, b) => b.entries.length - a.entries.length || (a.tenant < b.tenant ? -1 : 1));
}
