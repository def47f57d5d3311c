import { JobEntity } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';
import { Schedules1764000000000 } from './migrations/1764000000000-schedules';
import { Lifecycle1766000000000 } from './migrations/1766000000000-lifecycle';
import { ScheduleObjectLock1767000000000 } from './migrations/1767000000000-schedule-object-lock';
import { SchedulerTenants1768000000000 } from './migrations/1768000000000-scheduler-tenants';
import { VerifySchedule1769500000000 } from './migrations/1769500000000-verify-schedule';
import { RtoWatch1769700000000 } from './migrations/1769700000000-rto-watch';

/** The scheduler's tables and the migrations that make them, in order (the app module and the specs use the same). */
export const SCHEDULER_ENTITIES = [ScheduleEntity, JobEntity];
export const SCHEDULER_MIGRATIONS = [Schedules1764000000000, Lifecycle1766000000000, ScheduleObjectLock1767000000000, SchedulerTenants1768000000000, VerifySchedule1769500000000, RtoWatch1769700000000];
