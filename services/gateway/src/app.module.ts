import { ArcaServiceModule, loadConfig } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AccessGuard } from './auth/access.guard';
import { ApiKeysService } from './auth/api-keys.service';
import { Authenticator, GATEWAY_CONFIG } from './auth/authenticator';
import { KeysController } from './auth/keys.controller';
import { SignInController } from './auth/sign-in.controller';
import { WhoamiController } from './auth/whoami.controller';
import { GatewayEnv } from './config';
import { ConsoleController } from './console.controller';
import { ApiKeyEntity } from './entities/api-key.entity';
import { EventsController } from './events.controller';
import { GatewayEvents } from './gateway-events';
import { LifecycleController } from './lifecycle.controller';
import { JobsController } from './jobs.controller';
import { ApiKeys1765000000000 } from './migrations/1765000000000-api-keys';
import { KeyTenants1768000000000 } from './migrations/1768000000000-key-tenants';
import { KeySlotsController } from './key-slots.controller';
import { RepositoryKeysController } from './repository-keys.controller';
import { OperationsController } from './operations.controller';
import { PoliciesController } from './policies.controller';
import { ServiceClient } from './service-client';
import { ServicesHealth } from './services-health';
import { SnapshotsController } from './snapshots.controller';
import { WebhooksController } from './webhooks.controller';
import { QuotasController } from './quotas.controller';
import { ReportsController } from './reports.controller';
import { TestRestoresController } from './test-restores.controller';

@Module({
  // The gateway's own schema holds the API keys.
  imports: [ArcaServiceModule.forRoot({ serviceName: 'gateway', entities: [ApiKeyEntity], migrations: [ApiKeys1765000000000, KeyTenants1768000000000] })],
  controllers: [PoliciesController, JobsController, SnapshotsController, LifecycleController, OperationsController, ReportsController, QuotasController, TestRestoresController, KeySlotsController, RepositoryKeysController, AuditController, KeysController, WhoamiController, SignInController, WebhooksController, ConsoleController, EventsController],
  providers: [
    ServiceClient, ServicesHealth, GatewayEvents, ApiKeysService, Authenticator, AccessGuard,
    { provide: GATEWAY_CONFIG, useFactory: () => loadConfig(GatewayEnv, process.env) },
    // Every route passes AccessGuard (see roles.ts): one place decides who may do what.
    { provide: APP_GUARD, useExisting: AccessGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
})
export class AppModule {}
