import { PackStored } from '@arca/contracts';
import { ChunkRepository, ChunkSource, FinishedPack } from '@arca/datapath';
import { ObjectStore } from '@arca/object-store';
import { ChunkIndexClient } from './chunk-index.client';

/**
 * The data path's repository, backed by the services: lookups and locations from dedupe-index,
 * packs in the object store. A pack is recorded in the index only after its object is stored,
 * so the index never points at bytes that are not there. Kafka stays off this hot path: the
 * pack.stored events leave through the outbox in the transaction that records the snapshot.
 */
export class ServiceChunkRepository implements ChunkRepository, ChunkSource {
  constructor(
    private readonly store: ObjectStore,
    private readonly index: ChunkIndexClient,
    private readonly job: { jobId: string; policyId?: string },
  ) {}

  filterNew(ids: Buffer[]): Promise<Set<string>> {
    return this.index.newIds(ids);
  }

  /** pack.stored payloads of the packs written so far; the job publishes them through its outbox with the snapshot. */
  readonly storedPacks: PackStored[] = [];

  async storePack(pack: FinishedPack): Promise<void> {
    await this.store.put(pack.key, pack.bytes);
    await this.index.recordPack(pack);
    this.storedPacks.push({
      jobId: this.job.jobId, packKey: pack.key, size: pack.bytes.length, chunkCount: pack.entries.length,
      rawBytes: pack.entries.reduce((n, e) => n + e.rawLength, 0), ...(this.job.policyId ? { policyId: this.job.policyId } : {}),
    });
  }

  locate(ids: string[]) {
    return this.index.locate(ids);
  }

  readPack(packKey: string): Promise<Buffer> {
    return this.store.get(packKey);
  }

  /** Ranged reads (a pread on the filesystem store, a range GET on S3): restores fetch only the chunks they need. */
  readRange(packKey: string, offset: number, length: number): Promise<Buffer> {
    return this.store.getRange(packKey, offset, length);
  }
}
