import { ChunkSource } from '../chunk-reader';
import { ChunkLookup, ChunkRepository } from '../chunk-sink';
import { FinishedPack } from '../pack';

/** A repository in memory, for tests of the data path without any service. */
export class MemoryRepository implements ChunkRepository, ChunkSource {
  readonly packs = new Map<string, Buffer>();
  readonly index = new Map<string, { packKey: string; offset: number; length: number }>();

  async lookup(ids: Buffer[]): Promise<ChunkLookup> {
    const hex = ids.map((id) => id.toString('hex'));
    return { fresh: new Set(hex.filter((id) => !this.index.has(id))), packs: new Set(hex.filter((id) => this.index.has(id)).map((id) => this.index.get(id)!.packKey)) };
  }

  async storePack(pack: FinishedPack): Promise<void> {
    this.packs.set(pack.key, Buffer.from(pack.bytes));
    for (const e of pack.entries) if (!this.index.has(e.id)) this.index.set(e.id, { packKey: pack.key, offset: e.offset, length: e.length });
  }

  async locate(ids: string[]) {
    return new Map(ids.filter((id) => this.index.has(id)).map((id) => [id, this.index.get(id)!]));
  }

  async readPack(key: string): Promise<Buffer> {
    const pack = this.packs.get(key);
    if (!pack) throw new Error(`pack ${key} not found`);
    return pack;
  }

  get storedBytes(): number {
    return [...this.packs.values()].reduce((n, p) => n + p.length, 0);
  }
}
