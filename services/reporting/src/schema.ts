import { AuditEntryEntity } from './entities/audit-entry.entity';
import { JobEventEntity } from './entities/job-event.entity';
import { JobViewEntity } from './entities/job-view.entity';
import { PolicyViewEntity } from './entities/policy-view.entity';
import { QuotaEntity } from './entities/quota.entity';
import { ReplicationViewEntity } from './entities/replication-view.entity';
import { RtoBreachEntity } from './entities/rto-breach.entity';
import { StorageDayEntity } from './entities/storage-day.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './entities/webhook-subscription.entity';
import { ReadModels1764000000000 } from './migrations/1764000000000-read-models';
import { AuditChain1765000000000 } from './migrations/1765000000000-audit-chain';
import { Webhooks1765000000100 } from './migrations/1765000000100-webhooks';
import { RpoWatch1766000000000 } from './migrations/1766000000000-rpo-watch';
import { JobEvents1767000000000 } from './migrations/1767000000000-job-events';
import { ReportingTenants1768000000000 } from './migrations/1768000000000-reporting-tenants';
import { PolicyPromises1769500000000 } from './migrations/1769500000000-policy-promises';
import { StorageDaily1769800000000 } from './migrations/1769800000000-storage-daily';
import { RtoBreaches1769700000000 } from './migrations/1769700000000-rto-breaches';

/** Reporting's tables and the migrations that make them, in order (the app module and the specs use the same). */
export const REPORTING_ENTITIES = [JobViewEntity, JobEventEntity, AuditEntryEntity, PolicyViewEntity, ReplicationViewEntity, WebhookSubscriptionEntity, WebhookDeliveryEntity, StorageDayEntity, QuotaEntity, RtoBreachEntity];
export const REPORTING_MIGRATIONS = [ReadModels1764000000000, AuditChain1765000000000, Webhooks1765000000100, RpoWatch1766000000000, JobEvents1767000000000, ReportingTenants1768000000000, PolicyPromises1769500000000, RtoBreaches1769700000000, StorageDaily1769800000000];
