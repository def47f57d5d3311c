import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsNumberString, IsOptional, IsPort, Matches } from 'class-validator';

export class SchedulerEnv extends CommonEnv {
  @IsPort({ message: portMessage('SCHEDULER_PORT') })
  SCHEDULER_PORT = '3002';

  /** How often due schedules are looked for; a due job starts at most this late. */
  @IsNumberString({}, { message: 'SCHEDULER_TICK_MS must be a number of milliseconds' })
  SCHEDULER_TICK_MS = '1000';

  /** A due time the scheduler reaches later than this (it was down) counts as missed and follows the policy's catchUp. */
  @IsNumberString({}, { message: 'SCHEDULER_MISSED_AFTER_SECONDS must be a number of seconds' })
  SCHEDULER_MISSED_AFTER_SECONDS = '300';

  /** For tests and demos only: the scheduler's clock starts at this instant and runs at this rate ("2026-05-01T04:59:00Z@10x"). */
  @IsOptional() @Matches(/^\S+?(@\d+(\.\d+)?x)?$/, { message: 'SCHEDULER_CLOCK must be "<ISO instant>[@<rate>x]"' })
  SCHEDULER_CLOCK?: string;
}
