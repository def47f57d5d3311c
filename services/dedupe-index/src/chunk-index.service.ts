import { Injectable } from '@nestjs/common';
import { MetricsService } from '@arca/service-kit';
import { Counter } from 'prom-client';
import { ChunkInPackDto, RecordPackDto } from './chunk-index.dto';
import { ChunkIndexRepository } from './chunk-index.repository';

@Injectable()
export class ChunkIndexService {
  private readonly lookups: Counter<'result'>;
  private readonly forgotten: Counter;

  constructor(private readonly repository: ChunkIndexRepository, metrics: MetricsService) {
    this.lookups = metrics.counter('arca_dedupe_lookups_total', 'Chunk ids looked up, by result', ['result']);
    this.forgotten = metrics.counter('arca_dedupe_chunks_forgotten_total', 'Chunk ids removed from the index by check --repair');
  }

  /** The ids of a batch that are new to the repository, once each, in the order first asked. */
  async newIds(ids: string[]): Promise<{ new: string[] }> {
    const unique = [...new Set(ids)];
    const known = await this.repository.known(unique.map((id) => Buffer.from(id, 'hex')));
    const fresh = unique.filter((id) => !known.has(id));
    this.lookups.inc({ result: 'new' }, fresh.length);
    this.lookups.inc({ result: 'known' }, unique.length - fresh.length);
    return { new: fresh };
  }

  async locate(ids: string[]) {
    const found = await this.repository.locate([...new Set(ids)].map((id) => Buffer.from(id, 'hex')));
    const locations = found.map((l) => ({ id: l.id.toString('hex'), packKey: l.packKey, offset: l.offset, length: l.length, rawLength: l.rawLength }));
    const located = new Set(locations.map((l) => l.id));
    return { locations, missing: ids.filter((id) => !located.has(id)) };
  }

  recordPack(pack: RecordPackDto): Promise<void> {
    return this.repository.recordPack({
      key: pack.key,
      size: pack.size,
      chunks: pack.chunks.map((c) => ({ id: Buffer.from(c.id, 'hex'), offset: c.offset, length: c.length, rawLength: c.rawLength })),
    });
  }

  /** Forgets damaged or lost chunks (check --repair), so the next lookup reports them new and a backup stores them again. */
  async forget(chunks: ChunkInPackDto[]): Promise<{ forgotten: string[] }> {
    const forgotten = await this.repository.forget(chunks.map((c) => ({ id: Buffer.from(c.id, 'hex'), packKey: c.packKey })));
    this.forgotten.inc(forgotten.length);
    return { forgotten };
  }

  async packChunks(key: string): Promise<{ ids: string[] }> {
    return { ids: (await this.repository.chunksInPack(key)).map((id) => id.toString('hex')) };
  }

  stats() {
    return this.repository.stats();
  }
}
