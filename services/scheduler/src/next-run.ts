import { BackupWindow, nextCronTime, placeInWindow } from '@arca/schedule';

export interface ScheduleSpec {
  cron: string;
  timezone: string;
  window?: BackupWindow;
}

/**
 * The next time a policy's backup is due strictly after `after`: the cron time, moved to the
 * opening of the backup window when it falls outside. Missed runs (the scheduler was down) are
 * not replayed one by one: the next tick after a gap runs one job, then the schedule resumes.
 */
export function nextRunAfter(schedule: ScheduleSpec, after: Date): Date {
  return placeInWindow(nextCronTime(schedule.cron, schedule.timezone, after), schedule.window, schedule.timezone);
}
