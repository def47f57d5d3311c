import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { guardApiDocs } from './auth/docs-access';
import { trustProxy } from './auth/trust-proxy';
import { GatewayEnv } from './config';
import { describeValidation } from './openapi-schemas';

void bootstrapService({
  serviceName: 'gateway',
  module: AppModule,
  env: GatewayEnv,
  openApi: { title: 'Arca', description: 'REST API for operators: policies, jobs, snapshots, restores, checks, reports, audit and API keys. Send an API key (Authorization: Bearer arca_…, or x-api-key) or an OIDC bearer token.', complete: describeValidation },
  configure: (app) => {
    trustProxy(app, process.env.ARCA_TRUST_PROXY);
    guardApiDocs(app);
  },
  // A restore of many chosen paths; its restore.requested event stays under Kafka's default 1 MB message limit.
  bodyLimits: { '/snapshots/:id/restore': 768 * 1024 },
  rawBodies: ['/streams'], // POST /streams: the body is the backup, whatever its content-type
});
