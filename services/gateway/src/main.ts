import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { GatewayEnv } from './config';
import { keepRawBody } from './raw-body';

void bootstrapService({
  serviceName: 'gateway',
  module: AppModule,
  env: GatewayEnv,
  openApi: { title: 'Arca', description: 'REST API for operators: policies, jobs, snapshots, restores, checks, reports and audit.' },
  configure: (app) => keepRawBody(app, ['/streams']), // POST /streams: the body is the backup, whatever its content-type
  // A restore of many chosen paths; its restore.requested event stays under Kafka's default 1 MB message limit.
  bodyLimits: { '/snapshots/:id/restore': 768 * 1024 },
});
