import { ObjectStore } from '@arca/object-store';
import { OBJECT_STORE } from '@arca/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { ChunkIndexClient } from './chunk-index.client';
import { RepositoryKeyService } from './repository-key.service';
import { ServiceChunkRepository } from './service-chunk-repository';
import { SnapshotCatalogService } from './snapshot-catalog.service';

/** What every job runner reads the repository through: its key, the snapshot catalogue, the chunk index, the store. */
@Injectable()
export class RepositoryAccess {
  constructor(
    readonly keys: RepositoryKeyService,
    readonly catalog: SnapshotCatalogService,
    readonly index: ChunkIndexClient,
    @Inject(OBJECT_STORE) readonly store: ObjectStore,
  ) {}

  /** The data path's view of the repository for one job. */
  chunksFor(job: { jobId: string; policyId?: string }): ServiceChunkRepository {
    return new ServiceChunkRepository(this.store, this.index, job);
  }
}
