import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { JobViewEntity } from './entities/job-view.entity';
import { PolicyViewEntity } from './entities/policy-view.entity';
import { ReplicationViewEntity } from './entities/replication-view.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './entities/webhook-subscription.entity';
import { EventsController } from './events.controller';
import { ReadModelsService } from './read-models.service';
import { ReadModels1764000000000 } from './migrations/1764000000000-read-models';
import { AuditChain1765000000000 } from './migrations/1765000000000-audit-chain';
import { Webhooks1765000000100 } from './migrations/1765000000100-webhooks';
import { RpoWatch1766000000000 } from './migrations/1766000000000-rpo-watch';
import { ReportingTenants1768000000000 } from './migrations/1768000000000-reporting-tenants';
import { ReportsController } from './reports.controller';
import { DeliveryWorker } from './webhooks/delivery-worker';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

@Module({
  imports: [ArcaServiceModule.forRoot({
    serviceName: 'reporting',
    entities: [JobViewEntity, AuditEntryEntity, PolicyViewEntity, ReplicationViewEntity, WebhookSubscriptionEntity, WebhookDeliveryEntity],
    migrations: [ReadModels1764000000000, AuditChain1765000000000, Webhooks1765000000100, RpoWatch1766000000000, ReportingTenants1768000000000],
  })],
  controllers: [EventsController, ReportsController, WebhooksController],
  providers: [ReadModelsService, WebhooksService, DeliveryWorker],
})
export class AppModule {}
