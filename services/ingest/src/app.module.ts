import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { BackupRunner } from './backup.runner';
import { CheckRunner } from './check.runner';
import { ChunkIndexClient } from './chunk-index.client';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { KeyGenerationUsageEntity } from './entities/key-generation-usage.entity';
import { SnapshotEntity } from './entities/snapshot.entity';
import { JobQueueService } from './job-queue.service';
import { JobWorkerService } from './job-worker.service';
import { RepositoryAccess } from './repository-access';
import { SiteStores } from './site-stores';
import { RepositoryKeyService } from './repository-key.service';
import { RepositoryController } from './repository.controller';
import { RequestsController } from './requests.controller';
import { PolicyArchiveController, PolicyArchiveService } from './policy-archive.service';
import { PruneRunner } from './prune.runner';
import { RecoverRunner } from './recover.runner';
import { RestoreRunner } from './restore.runner';
import { VerifyRunner } from './verify.runner';
import { RetentionController } from './retention.controller';
import { RetentionService } from './retention.service';
import { SnapshotCatalogService } from './snapshot-catalog.service';
import { SnapshotsController } from './snapshots.controller';
import { SnapshotStateArchive } from './snapshot-state.archive';
import { INGEST_MIGRATIONS } from './migrations';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'ingest', entities: [IngestJobEntity, SnapshotEntity, KeyGenerationUsageEntity], migrations: INGEST_MIGRATIONS, objectStore: true })],
  controllers: [RequestsController, PolicyArchiveController, SnapshotsController, RepositoryController, RetentionController],
  providers: [SiteStores, RepositoryAccess, RepositoryKeyService, ChunkIndexClient, SnapshotCatalogService, JobQueueService, JobWorkerService, BackupRunner, RestoreRunner, VerifyRunner, CheckRunner, PruneRunner, RecoverRunner, RetentionService, PolicyArchiveService, SnapshotStateArchive],
})
export class AppModule {}
