import './tracing';
import { bootstrapService } from '@arca/service-kit';
import { AppModule } from './app.module';
import { SchedulerEnv } from './config';

void bootstrapService({ serviceName: 'scheduler', module: AppModule, env: SchedulerEnv });
