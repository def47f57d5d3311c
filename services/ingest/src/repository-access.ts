import type { BackupObjectLock } from '@arca/contracts';
import { ObjectStore } from '@arca/object-store';
import { Injectable } from '@nestjs/common';
import { ChunkIndexClient } from './chunk-index.client';
import { LockingObjectStore } from './locking-object-store';
import { RepositoryKeyService } from './repository-key.service';
import { IndexedChunkSource, ServiceChunkRepository } from './service-chunk-repository';
import { Site, SiteStores } from './site-stores';
import { SnapshotCatalogService } from './snapshot-catalog.service';
import { ONCE, Retry } from './transient-retry';

/** What every job runner reads the repository through: its key, the snapshot catalogue, the chunk index, the stores. */
@Injectable()
export class RepositoryAccess {
  constructor(
    readonly keys: RepositoryKeyService,
    readonly catalog: SnapshotCatalogService,
    readonly index: ChunkIndexClient,
    private readonly sites: SiteStores,
  ) {}

  /** The primary site's store: where backups write. */
  get store(): ObjectStore {
    return this.sites.primary;
  }

  /** Reading a tenant's chunks back from a site (restores, downloads): wherever the index places them, condemned packs included; a job passes its `retry`. */
  chunkSource(tenant: string, site: Site = 'primary', retry: Retry = ONCE): IndexedChunkSource {
    return new IndexedChunkSource(this.sites.reads(site, retry), this.index, tenant, retry);
  }

  /** A site's store with its reads run through `retry` (a check's, a prune's). */
  reads(retry: Retry, site: Site = 'primary'): ObjectStore {
    return this.sites.reads(site, retry);
  }

  /** Where one backup job writes: the primary store, locking every object when the job's policy asks for object lock. */
  storeFor(objectLock?: BackupObjectLock): ObjectStore {
    return objectLock ? new LockingObjectStore(this.store, objectLock) : this.store;
  }

  /** The data path's view of the repository for one backup job: lookups, reuse checks and pack uploads (to the store given). */
  chunksFor(job: { jobId: string; policyId?: string; tenant: string }, site: Site = 'primary', store: ObjectStore = this.sites.get(site)): ServiceChunkRepository {
    return new ServiceChunkRepository(store, this.index, job, (bytes, chunks) => this.keys.countPack(bytes, chunks));
  }
}
