import './tracing';
import { CHUNK_INDEX_BODY_LIMITS } from '@arca/contracts';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { DedupeIndexEnv } from './config';

void bootstrapService({ serviceName: 'dedupe-index', module: AppModule, env: DedupeIndexEnv, bodyLimits: CHUNK_INDEX_BODY_LIMITS });
