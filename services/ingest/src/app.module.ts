import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { SnapshotEntity } from './entities/snapshot.entity';
import { Ingest1764000000000 } from './migrations/1764000000000-ingest';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'ingest', entities: [IngestJobEntity, SnapshotEntity], migrations: [Ingest1764000000000], objectStore: true })],
})
export class AppModule {}
