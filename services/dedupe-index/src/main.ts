import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { DedupeIndexEnv } from './config';

void bootstrapService({ serviceName: 'dedupe-index', module: AppModule, env: DedupeIndexEnv });
