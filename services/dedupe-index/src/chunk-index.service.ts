import {
  chunkIdCount, decodeChunkIdBuffers, PACK_PAGE_CHUNKS, PackListResponse, PackPageResponse, PackState, PackStateResponse, encodeChunkIds, encodeLocations, ForgetChunksRequest, ForgetChunksResponse, LocateResponse, LookupResponse,
  PackChunksResponse, RecordPackRequest,
} from '@arca/contracts';
import { MetricsService } from '@arca/service-kit';
import { BadRequestException, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { ChunkIndexRepository } from './chunk-index.repository';

/** Parallel arrays must line up with the ids they describe. */
function sameLength(ids: string, arrays: Record<string, unknown[]>): void {
  const count = chunkIdCount(ids);
  for (const [name, values] of Object.entries(arrays)) {
    if (values.length !== count) throw new BadRequestException(`${name} has ${values.length} values for ${count} chunk ids; it must have one per id`);
  }
}

/** Each id once, in the order first given (a batch may name a chunk twice). */
function unique(ids: Buffer[]): Buffer[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const hex = id.toString('hex');
    if (seen.has(hex)) return false;
    seen.add(hex);
    return true;
  });
}

@Injectable()
export class ChunkIndexService {
  private readonly lookups: Counter<'result'>;
  private readonly forgotten: Counter;

  constructor(private readonly repository: ChunkIndexRepository, metrics: MetricsService) {
    this.lookups = metrics.counter('arca_dedupe_lookups_total', 'Chunk ids looked up, by result', ['result']);
    this.forgotten = metrics.counter('arca_dedupe_chunks_forgotten_total', 'Chunk ids removed from the index by check --repair');
  }

  /** The ids of a batch that are new to the repository, once each, in the order first asked, and the packs holding the others. */
  async lookup(tenant: string, encoded: string): Promise<LookupResponse> {
    const ids = unique(decodeChunkIdBuffers(encoded));
    const known = await this.repository.known(tenant, ids);
    const fresh = ids.filter((id) => !known.has(id.toString('hex')));
    this.lookups.inc({ result: 'new' }, fresh.length);
    this.lookups.inc({ result: 'known' }, ids.length - fresh.length);
    return { new: encodeChunkIds(fresh), packs: [...new Set(known.values())] };
  }

  /** Where each id is; ids the index does not hold are left out of the answer. */
  async locate(tenant: string | undefined, encoded: string, live = false): Promise<LocateResponse> {
    return encodeLocations(await this.repository.locate(tenant, unique(decodeChunkIdBuffers(encoded)), live));
  }

  recordPack(tenant: string, pack: RecordPackRequest): Promise<void> {
    sameLength(pack.ids, { offsets: pack.offsets, lengths: pack.lengths, rawLengths: pack.rawLengths });
    return this.repository.recordPack(tenant, {
      key: pack.key,
      size: pack.size,
      replaces: pack.replaces,
      chunks: decodeChunkIdBuffers(pack.ids).map((id, i) => ({ id, offset: pack.offsets[i], length: pack.lengths[i], rawLength: pack.rawLengths[i] })),
    });
  }

  /** Forgets damaged or lost chunks (check --repair), so the next lookup reports them new and a backup stores them again. */
  async forget(request: ForgetChunksRequest): Promise<ForgetChunksResponse> {
    sameLength(request.ids, { packKeys: request.packKeys });
    const forgotten = await this.repository.forget(decodeChunkIdBuffers(request.ids).map((id, i) => ({ id, packKey: request.packKeys[i] })));
    this.forgotten.inc(forgotten.length);
    return { forgotten: encodeChunkIds(forgotten) };
  }

  async setPackState(keys: string[], state: PackState, jobId?: string): Promise<PackStateResponse> {
    return { changed: await this.repository.setState(keys, state, jobId) };
  }

  forgetPacks(keys: string[]): Promise<void> {
    return this.repository.forgetPacks(keys);
  }

  async packPage(after?: string): Promise<PackPageResponse> {
    const page = await this.repository.page(after, PACK_PAGE_CHUNKS);
    return {
      packs: page.packs, ids: encodeChunkIds(page.chunks.map((c) => c.id)), pack: page.chunks.map((c) => c.pack), length: page.chunks.map((c) => c.length),
      ...(page.next ? { next: page.next } : {}),
    };
  }

  async packsIn(state: PackState): Promise<PackListResponse> {
    return { packs: await this.repository.packsIn(state) };
  }

  async packChunks(key: string): Promise<PackChunksResponse> {
    return { ids: encodeChunkIds(await this.repository.chunksInPack(key)) };
  }

  stats() {
    return this.repository.stats();
  }
}
