import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { clockProvider } from './clock';
import { JobEntity } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';
import { JobEventsController } from './job-events.controller';
import { JobOutcomesService } from './job-outcomes.service';
import { JobsController } from './jobs.controller';
import { PolicyEventsController } from './policy-events.controller';
import { SchedulerService } from './scheduler.service';
import { SchedulerTicker } from './scheduler.ticker';
import { SCHEDULER_MIGRATIONS } from './schema';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'scheduler', entities: [ScheduleEntity, JobEntity], migrations: SCHEDULER_MIGRATIONS })],
  controllers: [JobsController, PolicyEventsController, JobEventsController],
  providers: [clockProvider, SchedulerService, JobOutcomesService, SchedulerTicker],
})
export class AppModule {}
