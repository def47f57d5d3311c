import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { ReplicationEnv } from './config';

void bootstrapService({ serviceName: 'replication', module: AppModule, env: ReplicationEnv });
