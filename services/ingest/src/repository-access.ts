import { ObjectStore } from '@arca/object-store';
import { Injectable } from '@nestjs/common';
import { ChunkIndexClient } from './chunk-index.client';
import { RepositoryKeyService } from './repository-key.service';
import { ServiceChunkRepository } from './service-chunk-repository';
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

  /** The data path's view of the repository for one job, reading packs from the given site. */
  chunksFor(job: { jobId: string; policyId?: string }, site: Site = 'primary'): ServiceChunkRepository {
    return new ServiceChunkRepository(this.sites.get(site), this.index, job);
  }
}
