import {
  CHUNK_BATCH, ChunkLocation, decodeChunkIds, decodeLocations, encodeChunkIds, ForgetChunksResponse, LocateResponse, LookupResponse, PackChunksResponse,
} from '@arca/contracts';
import { FinishedPack } from '@arca/datapath';
import { serviceUrl } from '@arca/service-kit';
import { Injectable } from '@nestjs/common';

/**
 * The dedupe-index service's internal API: batched lookups, pack registration, chunk locations,
 * repair. Lists of any length are sent in batches of CHUNK_BATCH ids (a pack holds at most
 * MAX_PACK_CHUNKS), which keeps every request under its route's body limit.
 */
@Injectable()
export class ChunkIndexClient {
  private async post<T>(path: string, body: unknown): Promise<T> {
    const url = `${serviceUrl('dedupe-index')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch (error) {
      throw new Error(`dedupe-index unreachable at ${url}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`dedupe-index ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Of these ids, the (hex) ids the repository does not hold yet, and the packs holding the others. */
  async lookup(ids: Buffer[]): Promise<{ fresh: Set<string>; packs: Set<string> }> {
    const out = { fresh: new Set<string>(), packs: new Set<string>() };
    for (let i = 0; i < ids.length; i += CHUNK_BATCH) {
      const result = await this.post<LookupResponse>('/chunks/lookup', { ids: encodeChunkIds(ids.slice(i, i + CHUNK_BATCH)) });
      for (const id of decodeChunkIds(result.new)) out.fresh.add(id);
      for (const pack of result.packs) out.packs.add(pack);
    }
    return out;
  }

  async recordPack(pack: FinishedPack): Promise<void> {
    await this.post('/packs', {
      key: pack.key, size: pack.bytes.length, ids: encodeChunkIds(pack.entries.map((e) => e.id)),
      offsets: pack.entries.map((e) => e.offset), lengths: pack.entries.map((e) => e.length), rawLengths: pack.entries.map((e) => e.rawLength),
    });
  }

  /** Where each (hex) id is; ids the index does not hold are absent from the map. */
  async locate(ids: string[]): Promise<Map<string, ChunkLocation>> {
    const out = new Map<string, ChunkLocation>();
    for (let i = 0; i < ids.length; i += CHUNK_BATCH) {
      for (const [id, at] of decodeLocations(await this.post<LocateResponse>('/chunks/locate', { ids: encodeChunkIds(ids.slice(i, i + CHUNK_BATCH)) }))) out.set(id, at);
    }
    return out;
  }

  /** Removes these chunks from the index where it places them in the given pack (check --repair); returns the ids removed. */
  async forget(chunks: Array<{ id: string; packKey: string }>): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < chunks.length; i += CHUNK_BATCH) {
      const batch = chunks.slice(i, i + CHUNK_BATCH);
      const result = await this.post<ForgetChunksResponse>('/chunks/forget', { ids: encodeChunkIds(batch.map((c) => c.id)), packKeys: batch.map((c) => c.packKey) });
      out.push(...decodeChunkIds(result.forgotten));
    }
    return out;
  }

  async packChunks(packKey: string): Promise<string[]> {
    return decodeChunkIds((await this.post<PackChunksResponse>('/packs/chunks', { key: packKey })).ids);
  }
}
