import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { JobEntity } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';
import { JobsController } from './jobs.controller';
import { Schedules1764000000000 } from './migrations/1764000000000-schedules';
import { ScheduleObjectLock1767000000000 } from './migrations/1767000000000-schedule-object-lock';
import { PolicyEventsController } from './policy-events.controller';
import { SchedulerService } from './scheduler.service';
import { SchedulerTicker } from './scheduler.ticker';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'scheduler', entities: [ScheduleEntity, JobEntity], migrations: [Schedules1764000000000, ScheduleObjectLock1767000000000] })],
  controllers: [JobsController, PolicyEventsController],
  providers: [SchedulerService, SchedulerTicker],
})
export class AppModule {}
