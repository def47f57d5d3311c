import type { BackupObjectLock } from '@arca/contracts';
import { ObjectStore } from '@arca/object-store';
import { Injectable } from '@nestjs/common';
import { ChunkIndexClient } from './chunk-index.client';
import { LockingObjectStore } from './locking-object-store';
import { RepositoryKeyService } from './repository-key.service';
import { IndexedChunkSource, ServiceChunkRepository } from './service-chunk-repository';
import { Site, SiteStores } from './site-stores';
import { SnapshotCatalogService } from './snapshot-catalog.service';

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

  /** A site's store (the replica's opened on first use). */
  storeAt(site: Site): ObjectStore {
    return this.sites.get(site);
  }

  /** Reading a tenant's chunks back from a site (restores, downloads): wherever the index places them, condemned packs included. */
  chunkSource(tenant: string, site: Site = 'primary'): IndexedChunkSource {
    return new IndexedChunkSource(this.sites.get(site), this.index, tenant);
  }

  /** Where one backup job writes: the primary store, locking every object when the job's policy asks for object lock. */
  storeFor(objectLock?: BackupObjectLock): ObjectStore {
    return objectLock ? new LockingObjectStore(this.store, objectLock) : this.store;
  }

  /** The data path's view of the repository for one backup job: lookups, reuse checks and pack uploads (to the store given). */
  chunksFor(job: { jobId: string; policyId?: string; tenant: string }, site: Site = 'primary', store: ObjectStore = this.sites.get(site)): ServiceChunkRepository {
    return new ServiceChunkRepository(store, this.index, job);
  }
}
