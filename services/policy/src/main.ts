import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { PolicyEnv } from './config';

void bootstrapService({ serviceName: 'policy', module: AppModule, env: PolicyEnv });
