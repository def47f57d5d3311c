import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { GatewayEnv } from './config';

void bootstrapService({
  serviceName: 'gateway',
  module: AppModule,
  env: GatewayEnv,
  openApi: { title: 'Arca', description: 'REST API for operators: policies, jobs, snapshots, restores, checks, reports and audit.' },
});
