import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { ReportingEnv } from './config';

void bootstrapService({ serviceName: 'reporting', module: AppModule, env: ReportingEnv });
