import { ChunkLocation, locateAll } from './chunk-reader';
import { MasterKey } from './keys';
import { Manifest, TreeEntry } from './manifest';
import { extractChunk, PackEntry, readPackHeader } from './pack';
import { CorruptChunkError, open } from './sealer';
import { SnapshotReader } from './snapshot-reader';

/**
 * One reference a snapshot makes: a file's chunks, a directory's listing (its tree chunks), or a
 * hard link, which breaks with the file it links to.
 */
export interface ChunkReference {
  snapshotId: string;
  path: string;
  chunks: string[];
  /** Of `chunks`, those the index places in no pack. */
  unindexed?: string[];
  /** The packs the index places the others in. */
  packs?: string[];
  /** A hard link: the path of the file it shares its content with. */
  linkTo?: string;
}

/**
 * Every reference of a snapshot, one directory at a time (a listing read, its children's chunks
 * located in one batched call). A listing that cannot be read is passed to `onUnreadable` and its
 * subtree skipped; its own chunks are still referenced (by its parent's entry), so a check names them.
 */
export async function* snapshotReferences(reader: SnapshotReader, manifest: Manifest, onUnreadable: (dir: TreeEntry, error: Error) => void): AsyncGenerator<ChunkReference> {
  const snapshotId = manifest.snapshotId;
  const rootTree = manifest.root.tree ?? [];
  const located = (chunks: string[], at: Map<string, ChunkLocation>) => ({
    chunks, unindexed: chunks.filter((id) => !at.has(id)), packs: [...new Set(chunks.filter((id) => at.has(id)).map((id) => at.get(id)!.packKey))],
  });
  yield { snapshotId, path: '/', ...located(rootTree, await locateAll(reader.source, rootTree)) };
  for await (const { entries, locations } of reader.walk(manifest, manifest.root, { onUnreadable })) {
    for (const e of entries) {
      if (e.type === 'hardlink') {
        yield { snapshotId, path: e.path, chunks: [], linkTo: e.linkTo };
        continue;
      }
      const chunks = e.chunks ?? e.tree ?? [];
      if (chunks.length > 0) yield { snapshotId, path: e.path, ...located(chunks, locations) };
    }
  }
}

export interface DamagedChunk {
  chunkId: string;
  /** The pack holding it; '' when no checked pack holds it (missing). */
  packKey: string;
  reason: string;
  /** Snapshots referencing the chunk, and the file paths in them (hard links to those files included). */
  snapshots: string[];
  files: string[];
}

export interface CheckReport {
  packsChecked: number;
  chunksChecked: number;
  /** Bytes of pack objects read. */
  bytesChecked: number;
  damaged: DamagedChunk[];
  /** Whether every pack was read (percent 100): only then are referenced-but-absent chunks reported as missing. */
  complete: boolean;
}

export interface CheckInput {
  key: MasterKey;
  /** The other tenants' keys (tenantKey): a chunk is sound when its content matches its id under any of them. */
  otherKeys?: MasterKey[];
  /** What the snapshots reference, streamed once after the packs are read (see snapshotReferences). */
  references: () => AsyncIterable<ChunkReference>;
  /** Packs to verify, as a stream of whole objects (e.g. a listing piped through reads). */
  packs?: AsyncIterable<{ key: string; bytes: Buffer }> | Iterable<{ key: string; bytes: Buffer }>;
  /** Or: every pack key in the repository, and how to read one (lets `percent` sample without reading the rest). */
  packKeys?: string[];
  readPack?(key: string): Promise<Buffer>;
  /** What the index says each pack holds: used when a pack's own header is unreadable. */
  indexedChunks?(packKey: string): Promise<string[]>;
  /** Share of packs to read (1-100); packs are sampled at random. */
  percent?: number;
  onProgress?(progress: { packsChecked: number; packsTotal?: number; chunksChecked: number; damaged: number }): void;
}

function sample<T>(items: T[], percent: number): T[] {
  const out = [...items];
  if (percent >= 100) return out;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  out.length = Math.min(out.length, Math.max(1, Math.ceil((out.length * percent) / 100)));
  return out;
}

/**
 * Reads packs back and verifies every chunk in them (decrypt, decompress, compare with its id),
 * then names, for each damaged chunk, the snapshots and files that reference it, so an operator
 * knows exactly what a restore would lose. Chunks the snapshots reference that the index places
 * nowhere, or (with every pack read) that no pack holds, are reported as missing.
 */
export async function checkRepository(input: CheckInput): Promise<CheckReport> {
  const percent = Math.min(100, Math.max(1, input.percent ?? 100));
  const bad: Array<{ chunkId: string; packKey: string; reason: string }> = [];
  const present = new Set<string>();
  const otherIdKeys = (input.otherKeys ?? []).map((k) => k.idKey);
  const report: CheckReport = { packsChecked: 0, chunksChecked: 0, bytesChecked: 0, damaged: [], complete: percent >= 100 };

  const headerFailed = async (packKey: string, reason: string) => {
    for (const id of (await input.indexedChunks?.(packKey)) ?? []) {
      bad.push({ chunkId: id, packKey, reason });
      present.add(id);
    }
  };

  const checkPack = async (packKey: string, pack: Buffer) => {
    report.bytesChecked += pack.length;
    let entries: PackEntry[];
    try {
      entries = await readPackHeader(input.key, pack, packKey);
    } catch (error) {
      await headerFailed(packKey, `pack header unreadable: ${(error as Error).message}`);
      return;
    }
    for (const entry of entries) {
      report.chunksChecked++;
      present.add(entry.id);
      try {
        await open(input.key, Buffer.from(entry.id, 'hex'), extractChunk(pack, entry), otherIdKeys);
      } catch (error) {
        bad.push({ chunkId: entry.id, packKey, reason: error instanceof CorruptChunkError ? error.message : String(error) });
      }
    }
  };

  const progress = (packsTotal?: number) => {
    report.packsChecked++;
    input.onProgress?.({ packsChecked: report.packsChecked, packsTotal, chunksChecked: report.chunksChecked, damaged: bad.length });
  };

  if (input.packs) {
    const fraction = percent / 100;
    for await (const { key, bytes } of input.packs) {
      if (fraction < 1 && Math.random() >= fraction) continue;
      await checkPack(key, bytes);
      progress();
    }
  } else {
    if (!input.packKeys || !input.readPack) throw new Error('checkRepository needs either packs, or packKeys and readPack');
    const keys = sample(input.packKeys, percent);
    for (const packKey of keys) {
      let pack: Buffer | undefined;
      try {
        pack = await input.readPack(packKey);
      } catch (error) {
        await headerFailed(packKey, `pack unreadable: ${(error as Error).message}`);
      }
      if (pack) await checkPack(packKey, pack);
      progress(keys.length);
    }
  }

  // Which snapshots and files each bad (or missing) chunk breaks.
  const refs = new Map<string, { snapshots: Set<string>; files: Set<string> }>();
  for (const b of bad) refs.set(b.chunkId, { snapshots: new Set(), files: new Set() });
  const missing = new Map<string, { chunkId: string; packKey: string; reason: string }>();
  let snapshot = '';
  let brokenFiles = new Map<string, Set<string>>(); // path -> its bad chunk ids, in the snapshot being read
  let hardlinks: Array<{ path: string; linkTo: string }> = [];
  // A hard link breaks with its first link, which a walk may meet before or after it (directories
  // are read parents first): links are resolved once their snapshot has been read.
  const resolveLinks = () => {
    for (const link of hardlinks) for (const id of brokenFiles.get(link.linkTo) ?? []) refs.get(id)!.files.add(link.path);
  };
  for await (const ref of input.references()) {
    if (ref.snapshotId !== snapshot) {
      resolveLinks();
      snapshot = ref.snapshotId;
      brokenFiles = new Map();
      hardlinks = [];
    }
    if (ref.linkTo !== undefined) {
      hardlinks.push({ path: ref.path, linkTo: ref.linkTo });
      continue;
    }
    const unindexed = new Set(ref.unindexed ?? []);
    for (const id of ref.chunks) {
      if (!missing.has(id) && !refs.has(id) && ((report.complete && !present.has(id)) || unindexed.has(id))) {
        missing.set(id, { chunkId: id, packKey: '', reason: 'missing: no pack holds this chunk' });
        refs.set(id, { snapshots: new Set(), files: new Set() });
      }
      const found = refs.get(id);
      if (!found) continue;
      found.snapshots.add(ref.snapshotId);
      found.files.add(ref.path);
      if (!brokenFiles.has(ref.path)) brokenFiles.set(ref.path, new Set());
      brokenFiles.get(ref.path)!.add(id);
    }
  }
  resolveLinks();
  report.damaged = [...bad, ...missing.values()].map((b) => ({ ...b, snapshots: [...refs.get(b.chunkId)!.snapshots], files: [...refs.get(b.chunkId)!.files] }));
  return report;
}
