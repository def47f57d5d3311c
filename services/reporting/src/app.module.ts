import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { ReadModelsService } from './read-models.service';
import { ReportingMetrics } from './reporting-metrics.service';
import { ReportsController } from './reports.controller';
import { ComplianceController } from './reports/compliance.controller';
import { ComplianceService } from './reports/compliance.service';
import { StorageService } from './reports/storage.service';
import { DeliveryWorker } from './webhooks/delivery-worker';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';
import { REPORTING_ENTITIES, REPORTING_MIGRATIONS } from './schema';

@Module({
  imports: [ArcaServiceModule.forRoot({
    serviceName: 'reporting',
    entities: REPORTING_ENTITIES,
    migrations: REPORTING_MIGRATIONS,
  })],
  controllers: [EventsController, ReportsController, ComplianceController, WebhooksController],
  providers: [ReadModelsService, ComplianceService, StorageService, WebhooksService, DeliveryWorker, ReportingMetrics],
})
export class AppModule {}
