import { FinishedPack } from '@arca/datapath';
import { serviceUrl } from '@arca/service-kit';
import { Injectable } from '@nestjs/common';

export interface ChunkLocation {
  id: string;
  packKey: string;
  offset: number;
  length: number;
  rawLength: number;
}

/** The dedupe-index service's internal API: batched lookups, pack registration, chunk locations, repair. */
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

  async newIds(ids: Buffer[]): Promise<Set<string>> {
    const result = await this.post<{ new: string[] }>('/chunks/lookup', { ids: ids.map((id) => id.toString('hex')) });
    return new Set(result.new);
  }

  async recordPack(pack: FinishedPack): Promise<void> {
    await this.post('/packs', {
      key: pack.key, size: pack.bytes.length,
      chunks: pack.entries.map((e) => ({ id: e.id, offset: e.offset, length: e.length, rawLength: e.rawLength })),
    });
  }

  async locate(ids: string[]): Promise<ChunkLocation[]> {
    const out: ChunkLocation[] = [];
    for (let i = 0; i < ids.length; i += 10_000) {
      out.push(...(await this.post<{ locations: ChunkLocation[] }>('/chunks/locate', { ids: ids.slice(i, i + 10_000) })).locations);
    }
    return out;
  }

  /** Removes these chunks from the index where it places them in the given pack (check --repair); returns the ids removed. */
  async forget(chunks: Array<{ id: string; packKey: string }>): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < chunks.length; i += 10_000) {
      out.push(...(await this.post<{ forgotten: string[] }>('/chunks/forget', { chunks: chunks.slice(i, i + 10_000) })).forgotten);
    }
    return out;
  }

  async packChunks(packKey: string): Promise<string[]> {
    return (await this.post<{ ids: string[] }>('/packs/chunks', { key: packKey })).ids;
  }
}
