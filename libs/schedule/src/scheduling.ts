import { nextCronTime } from './cron';
import { BackupWindow, isInsideWindow, placeInWindow } from './window';

/** What to do about due times missed while no scheduler ran: one job for all of them, or none. */
export type CatchUp = 'once' | 'skip';
/** What happens to a backup still running when its window closes. */
export type WindowEnd = 'finish' | 'cancel';

export interface DueSchedule {
  cron: string;
  timezone: string;
  window?: BackupWindow | null;
  catchUp?: CatchUp;
}

/**
 * The next time a schedule is due strictly after `after`: the cron time, moved to the opening of
 * the backup window when it falls outside it.
 */
export function nextDueTime(schedule: DueSchedule, after: Date): Date {
  return placeInWindow(nextCronTime(schedule.cron, schedule.timezone, after), schedule.window ?? undefined, schedule.timezone);
}

export interface DueDecision {
  /** Request a job now, standing for this due time (its idempotency key); absent: request nothing. */
  runFor?: Date;
  /** The due time to store next. */
  nextDueAt: Date;
  why: 'on time' | 'catching up' | 'missed, skipped' | 'missed, waiting for the window';
}

/**
 * Decides what a tick does with a schedule whose due time `dueAt` has come (`now` >= `dueAt`).
 *
 * A due time is missed when the tick comes after the following due time, or more than `graceMs`
 * late (the scheduler was down), or when the window has closed by the time the tick comes (a job
 * never starts outside its window). A due time on time runs; missed ones follow `catchUp`: "once"
 * runs one job for all of them (at once inside the window, else when it next opens), "skip" runs
 * none. Either way the schedule resumes at its next due time after `now`: never a burst of stale jobs.
 */
export function decideDue(schedule: DueSchedule, dueAt: Date, now: Date, graceMs: number): DueDecision {
  const following = nextDueTime(schedule, dueAt);
  const late = now.getTime() >= following.getTime() || now.getTime() - dueAt.getTime() > graceMs;
  const inWindow = !schedule.window || isInsideWindow(now, schedule.window, schedule.timezone);
  const resume = nextDueTime(schedule, now);
  if (!late && inWindow) return { runFor: dueAt, nextDueAt: resume, why: 'on time' };
  if ((schedule.catchUp ?? 'once') === 'skip') return { nextDueAt: resume, why: 'missed, skipped' };
  if (inWindow) return { runFor: dueAt, nextDueAt: resume, why: 'catching up' };
  // The window opening is itself the due time the missed runs wait for: the catch-up job then runs on time.
  return { nextDueAt: placeInWindow(now, schedule.window ?? undefined, schedule.timezone), why: 'missed, waiting for the window' };
}

/** When the window a job started in (at `startedAt`, inside it) closes; undefined without a window. */
export function windowCloseAfter(startedAt: Date, window: BackupWindow | null | undefined, timeZone: string): Date | undefined {
  if (!window) return undefined;
  const [h, m] = window.end.split(':').map(Number);
  return nextCronTime(`${m} ${h} * * *`, timeZone, startedAt);
}

/** What a policy may do about a backup still running when its window closes. */
export function windowEndAction(windowEnd: WindowEnd | undefined, closesAt: Date | undefined | null, now: Date): 'none' | 'cancel' {
  return windowEnd === 'cancel' && closesAt && now.getTime() >= closesAt.getTime() ? 'cancel' : 'none';
}

export interface RetryRule {
  maxAttempts: number;
  backoffSeconds?: number;
}

/** The longest wait between two attempts, however many doublings the rule asks for. */
export const MAX_RETRY_BACKOFF_SECONDS = 6 * 3600;

/**
 * How long to wait before the next attempt after attempt number `failedAttempt` (1 = the first run)
 * failed: backoffSeconds (default 60), doubled with each attempt, capped at MAX_RETRY_BACKOFF_SECONDS;
 * undefined when the rule allows no more attempts.
 */
export function retryDelaySeconds(rule: RetryRule | null | undefined, failedAttempt: number): number | undefined {
  if (!rule || failedAttempt >= rule.maxAttempts) return undefined;
  return Math.min((rule.backoffSeconds ?? 60) * 2 ** (failedAttempt - 1), MAX_RETRY_BACKOFF_SECONDS);
}
