import { MasterKey } from './keys';
import { Manifest } from './manifest';
import { extractChunk, PackEntry, readPackHeader } from './pack';
import { CorruptChunkError, open } from './sealer';

export interface DamagedChunk {
  chunkId: string;
  packKey: string;
  reason: string;
  snapshots: string[];
  files: string[];
}

export interface CheckReport {
  packsChecked: number;
  chunksChecked: number;
  damaged: DamagedChunk[];
}

export interface CheckInput {
  key: MasterKey;
  /** Every pack key in the repository. */
  packKeys: string[];
  readPack(key: string): Promise<Buffer>;
  /** What the index says each pack holds: used when a pack's own header is unreadable. */
  indexedChunks?(packKey: string): Promise<string[]>;
  manifests: Manifest[];
  /** Share of packs to read (1-100); packs are sampled at random. */
  percent?: number;
}

/**
 * Reads packs back and verifies every chunk in them (decrypt, decompress, compare with its id),
 * then names, for each damaged chunk, the snapshots and files that reference it, so an operator
 * knows exactly what a restore would lose.
 */
export async function checkRepository(input: CheckInput): Promise<CheckReport> {
  const percent = Math.min(100, Math.max(1, input.percent ?? 100));
  const keys = [...input.packKeys];
  if (percent < 100) {
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    keys.length = Math.max(1, Math.ceil((keys.length * percent) / 100));
  }
  const bad: Array<{ chunkId: string; packKey: string; reason: string }> = [];
  let chunksChecked = 0;
  for (const packKey of keys) {
    let pack: Buffer;
    try {
      pack = await input.readPack(packKey);
    } catch (error) {
      for (const id of (await input.indexedChunks?.(packKey)) ?? []) bad.push({ chunkId: id, packKey, reason: `pack unreadable: ${(error as Error).message}` });
      continue;
    }
    let entries: PackEntry[];
    try {
      entries = await readPackHeader(input.key, pack, packKey);
    } catch (error) {
      for (const id of (await input.indexedChunks?.(packKey)) ?? []) bad.push({ chunkId: id, packKey, reason: `pack header unreadable: ${(error as Error).message}` });
      continue;
    }
    for (const entry of entries) {
      chunksChecked++;
      try {
        await open(input.key, Buffer.from(entry.id, 'hex'), extractChunk(pack, entry));
      } catch (error) {
        bad.push({ chunkId: entry.id, packKey, reason: error instanceof CorruptChunkError ? error.message : String(error) });
      }
    }
  }
  const damaged = bad.map((b) => {
    const snapshots = new Set<string>();
    const files = new Set<string>();
    for (const manifest of input.manifests) {
      for (const entry of manifest.entries) {
        if (entry.chunks?.includes(b.chunkId)) {
          snapshots.add(manifest.snapshotId);
          files.add(entry.path);
        }
      }
    }
    return { ...b, snapshots: [...snapshots], files: [...files] };
  });
  return { packsChecked: keys.length, chunksChecked, damaged };
}
