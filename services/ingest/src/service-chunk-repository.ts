import { PackStored } from '@arca/contracts';
import { ChunkLocation, ChunkLookup, ChunkRepository, ChunkSource, FinishedPack } from '@arca/datapath';
import { ObjectStore } from '@arca/object-store';
import { Logger } from '@nestjs/common';
import { ChunkIndexClient } from './chunk-index.client';
import { inJob, ONCE, Retry } from './transient-retry';

/**
 * Reading a tenant's chunks back (`tenant` undefined: any tenant's, for repository-wide reads):
 * locations from dedupe-index, pack bytes from one site's object store.
 */
export class IndexedChunkSource implements ChunkSource {
  /** `retry`: how the index is asked; a job's pack reads retry through the store it is given (RetryingReads). */
  constructor(
    protected readonly store: ObjectStore, protected readonly index: ChunkIndexClient, protected readonly tenant: string | undefined,
    protected readonly retry: Retry = ONCE,
  ) {}

  locate(ids: string[]): Promise<Map<string, ChunkLocation>> {
    return this.retry('locating chunks', () => this.index.locate(ids, { tenant: this.tenant }));
  }

  readPack(packKey: string): Promise<Buffer> {
    return this.store.get(packKey);
  }

  /** Ranged reads (a pread on the filesystem store, a range GET on S3): restores fetch only the chunks they need. */
  readRange(packKey: string, offset: number, length: number): Promise<Buffer> {
    return this.store.getRange(packKey, offset, length);
  }
}

/**
 * The data path's repository for one job, backed by the services: lookups and locations from
 * dedupe-index, packs in the object store. A pack is recorded in the index only after its object
 * is stored, so the index never points at bytes that are not there. Kafka stays off this hot path:
 * the pack.stored events leave through the outbox in the transaction that ends the job. Every
 * call here is idempotent, so a transient fault of S3 or the index is retried within the job
 * (transient-retry.ts: up to 8 attempts over about 24 s).
 */
export class ServiceChunkRepository extends IndexedChunkSource implements ChunkRepository {
  /** `countSeals`: told of every stored pack, to count its seals against the key generation's nonce budget. */
  constructor(
    store: ObjectStore, index: ChunkIndexClient, private readonly job: { jobId: string; policyId?: string; tenant: string },
    private readonly countSeals?: (bytes: Buffer, chunks: number) => Promise<void>,
  ) {
    super(store, index, job.tenant, inJob(new Logger('ChunkRepository'), job.jobId));
  }

  /** Which chunks the job's tenant lacks: dedupe within the tenant, never across tenants. */
  lookup(ids: Buffer[]): Promise<ChunkLookup> {
    return this.retry('a dedupe lookup', () => this.index.lookup(ids, this.job.tenant));
  }

  /** A backup locates the chunks it reuses from its parent only where a new snapshot may reference them (not in condemned packs). */
  override locate(ids: string[]): Promise<Map<string, ChunkLocation>> {
    return this.retry('locating chunks', () => this.index.locate(ids, { live: true, tenant: this.job.tenant }));
  }

  /** pack.stored payloads of the packs written so far; the job publishes them through its outbox when it ends, completed or failed. */
  readonly storedPacks: PackStored[] = [];

  async storePack(pack: FinishedPack): Promise<void> {
    await this.retry(`storing pack ${pack.key}`, () => this.store.put(pack.key, pack.bytes));
    await this.retry(`registering pack ${pack.key}`, () => this.index.recordPack(pack, this.job.tenant));
    await this.countSeals?.(pack.bytes, pack.entries.length);
    this.storedPacks.push({
      jobId: this.job.jobId, packKey: pack.key, size: pack.bytes.length, chunkCount: pack.entries.length,
      rawBytes: pack.entries.reduce((n, e) => n + e.rawLength, 0), ...(this.job.policyId ? { policyId: this.job.policyId } : {}),
    });
  }
}
