import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { StorageEnv } from './config';

void bootstrapService({ serviceName: 'storage', module: AppModule, env: StorageEnv });
