import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { clockProvider } from './clock';
import { JobEntity } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';
import { JobEventsController } from './job-events.controller';
import { JobOutcomesService } from './job-outcomes.service';
import { JobsController } from './jobs.controller';
import { Schedules1764000000000 } from './migrations/1764000000000-schedules';
import { Lifecycle1766000000000 } from './migrations/1766000000000-lifecycle';
import { ScheduleObjectLock1767000000000 } from './migrations/1767000000000-schedule-object-lock';
import { SchedulerTenants1768000000000 } from './migrations/1768000000000-scheduler-tenants';
import { PolicyEventsController } from './policy-events.controller';
import { SchedulerService } from './scheduler.service';
import { SchedulerTicker } from './scheduler.ticker';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'scheduler', entities: [ScheduleEntity, JobEntity], migrations: [Schedules1764000000000, Lifecycle1766000000000, ScheduleObjectLock1767000000000, SchedulerTenants1768000000000] })],
  controllers: [JobsController, PolicyEventsController, JobEventsController],
  providers: [clockProvider, SchedulerService, JobOutcomesService, SchedulerTicker],
})
export class AppModule {}
