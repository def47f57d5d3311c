import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { JobViewEntity } from './entities/job-view.entity';
import { PolicyViewEntity } from './entities/policy-view.entity';
import { ReplicationViewEntity } from './entities/replication-view.entity';
import { EventsController } from './events.controller';
import { ReadModelsService } from './read-models.service';
import { ReadModels1764000000000 } from './migrations/1764000000000-read-models';
import { RpoWatch1766000000000 } from './migrations/1766000000000-rpo-watch';
import { ReportsController } from './reports.controller';

@Module({
  imports: [ArcaServiceModule.forRoot({
    serviceName: 'reporting',
    entities: [JobViewEntity, AuditEntryEntity, PolicyViewEntity, ReplicationViewEntity],
    migrations: [ReadModels1764000000000, RpoWatch1766000000000],
  })],
  controllers: [EventsController, ReportsController],
  providers: [ReadModelsService],
})
export class AppModule {}
