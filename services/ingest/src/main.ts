import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { IngestEnv } from './config';

void bootstrapService({ serviceName: 'ingest', module: AppModule, env: IngestEnv, rawBodies: ['/streams'] }); // the gateway streams uploads on
