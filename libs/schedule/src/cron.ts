import { CronExpressionParser } from 'cron-parser';
import { isValidTimeZone } from './local-time';

/** Thrown for a schedule that cannot be used; the message names the expression and the problem. */
export class InvalidScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidScheduleError';
  }
}

/** Checks a 5-field cron expression and time zone, returning a reason or undefined. */
export function scheduleProblem(cron: string, timeZone: string): string | undefined {
  if (!isValidTimeZone(timeZone)) return `unknown time zone "${timeZone}" (expected an IANA name such as "UTC" or "Europe/Paris")`;
  if (cron.trim().split(/\s+/).length !== 5) return `cron expression "${cron}" must have 5 fields (minute hour day-of-month month day-of-week)`;
  try {
    CronExpressionParser.parse(cron, { tz: timeZone });
    return undefined;
  } catch (error) {
    return `cron expression "${cron}" is invalid: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The first time strictly after `after` at which the cron expression fires in the given zone. */
export function nextCronTime(cron: string, timeZone: string, after: Date): Date {
  const problem = scheduleProblem(cron, timeZone);
  if (problem) throw new InvalidScheduleError(problem);
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone }).next().toDate();
}
