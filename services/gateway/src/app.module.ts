import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditInterceptor } from './audit.interceptor';
import { ConsoleController } from './console.controller';
import { GatewayEvents } from './gateway-events';
import { LifecycleController } from './lifecycle.controller';
import { JobsController } from './jobs.controller';
import { OperationsController } from './operations.controller';
import { PoliciesController } from './policies.controller';
import { ServiceClient } from './service-client';
import { ServicesHealth } from './services-health';
import { SnapshotsController } from './snapshots.controller';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'gateway' })],
  controllers: [PoliciesController, JobsController, SnapshotsController, LifecycleController, OperationsController, ConsoleController],
  providers: [ServiceClient, ServicesHealth, GatewayEvents, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
})
export class AppModule {}
