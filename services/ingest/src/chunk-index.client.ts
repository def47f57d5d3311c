import {
  CHUNK_BATCH, ChunkLocation, PACK_STATE_BATCH, PackListResponse, PackPageResponse, PackState, PackStateResponse, decodeChunkIds, decodeLocations, encodeChunkIds, ForgetChunksResponse, LocateResponse, LookupResponse, PackChunksResponse,
} from '@arca/contracts';
import { FinishedPack, PackEntry } from '@arca/datapath';
import { TENANT_HEADER } from '@arca/contracts';
import { serviceUrl } from '@arca/service-kit';
import { Injectable } from '@nestjs/common';

/**
 * The dedupe-index service's internal API: batched lookups, pack registration, chunk locations,
 * repair. Lists of any length are sent in batches of CHUNK_BATCH ids (a pack holds at most
 * MAX_PACK_CHUNKS), which keeps every request under its route's body limit.
 */
@Injectable()
export class ChunkIndexClient {
  /** `tenant`: whose chunks a lookup, location or new pack is about (x-arca-tenant); none: repository-wide calls. */
  private async post<T>(path: string, body: unknown, tenant?: string): Promise<T> {
    const url = `${serviceUrl('dedupe-index')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(tenant ? { [TENANT_HEADER]: tenant } : {}) }, body: JSON.stringify(body) });
    } catch (error) {
      throw new Error(`dedupe-index unreachable at ${url}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`dedupe-index ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Of these ids, the (hex) ids the tenant does not hold yet, and the packs holding the others. */
  async lookup(ids: Buffer[], tenant: string): Promise<{ fresh: Set<string>; packs: Set<string> }> {
    const out = { fresh: new Set<string>(), packs: new Set<string>() };
    for (let i = 0; i < ids.length; i += CHUNK_BATCH) {
      const result = await this.post<LookupResponse>('/chunks/lookup', { ids: encodeChunkIds(ids.slice(i, i + CHUNK_BATCH)) }, tenant);
      for (const id of decodeChunkIds(result.new)) out.fresh.add(id);
      for (const pack of result.packs) out.packs.add(pack);
    }
    return out;
  }

  /**
   * Registers a stored pack, its new chunk rows the tenant's; `replaces` names packs whose rows for
   * these chunks move here, keeping their tenants (a prune's rewrite).
   */
  async recordPack(pack: FinishedPack, tenant: string, replaces?: string[]): Promise<void> {
    await this.recordPackEntries({ key: pack.key, size: pack.bytes.length, entries: pack.entries }, tenant, replaces);
  }

  /** Registers a pack from its header's entries (a recovery: the pack is in the store already). */
  async recordPackEntries(pack: { key: string; size: number; entries: PackEntry[] }, tenant: string, replaces?: string[]): Promise<void> {
    await this.post('/packs', {
      key: pack.key, size: pack.size, ids: encodeChunkIds(pack.entries.map((e) => e.id)),
      offsets: pack.entries.map((e) => e.offset), lengths: pack.entries.map((e) => e.length), rawLengths: pack.entries.map((e) => e.rawLength),
      ...(replaces?.length ? { replaces } : {}),
    }, tenant);
  }

  /**
   * Where each of the tenant's (hex) ids is (tenant undefined: any tenant's, for check and prune);
   * ids the index does not hold are absent from the map. With `live`, only chunks a new snapshot
   * may reference (not in packs a prune condemned): a backup's reuse check.
   */
  async locate(ids: string[], options: { live?: boolean; tenant: string | undefined }): Promise<Map<string, ChunkLocation>> {
    const out = new Map<string, ChunkLocation>();
    for (let i = 0; i < ids.length; i += CHUNK_BATCH) {
      const body = { ids: encodeChunkIds(ids.slice(i, i + CHUNK_BATCH)), ...(options.live ? { live: true } : {}), ...(options.tenant === undefined ? { allTenants: true } : {}) };
      for (const [id, at] of decodeLocations(await this.post<LocateResponse>('/chunks/locate', body, options.tenant))) out.set(id, at);
    }
    return out;
  }

  /** Moves packs to a state (see PACK_STATES); returns those moved. */
  async setPackState(keys: string[], state: PackState, jobId?: string): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < keys.length; i += PACK_STATE_BATCH) {
      out.push(...(await this.post<PackStateResponse>('/packs/state', { keys: keys.slice(i, i + PACK_STATE_BATCH), state, ...(jobId ? { jobId } : {}) })).changed);
    }
    return out;
  }

  async forgetPacks(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += PACK_STATE_BATCH) await this.post('/packs/forget', { keys: keys.slice(i, i + PACK_STATE_BATCH) });
  }

  /** Every pack of the index with the (hex) ids and sealed lengths of its chunks, a page at a time. */
  async *packs(): AsyncGenerator<{ key: string; size: number; chunkCount: number; state: PackState; chunks: Array<{ id: string; length: number }> }> {
    let after: string | undefined;
    do {
      const page = await this.post<PackPageResponse>('/packs/page', after ? { after } : {});
      const chunks = page.packs.map(() => [] as Array<{ id: string; length: number }>);
      decodeChunkIds(page.ids).forEach((id, i) => chunks[page.pack[i]].push({ id, length: page.length[i] }));
      for (let i = 0; i < page.packs.length; i++) yield { ...page.packs[i], chunks: chunks[i] };
      after = page.next;
    } while (after);
  }

  async packsIn(state: PackState): Promise<Array<{ key: string; size: number }>> {
    return (await this.post<PackListResponse>('/packs/list', { state })).packs;
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
