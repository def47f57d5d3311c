import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsNumberString, IsPort } from 'class-validator';

export class SchedulerEnv extends CommonEnv {
  @IsPort({ message: portMessage('SCHEDULER_PORT') })
  SCHEDULER_PORT = '3002';

  /** How often due schedules are looked for; a due job starts at most this late. */
  @IsNumberString({}, { message: 'SCHEDULER_TICK_MS must be a number of milliseconds' })
  SCHEDULER_TICK_MS = '1000';
}
