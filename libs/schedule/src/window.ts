import { nextCronTime } from './cron';
import { localParts } from './local-time';

/** A daily backup window in local wall-clock time; end before start means it spans midnight. */
export interface BackupWindow {
  start: string; // HH:MM
  end: string; // HH:MM
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function windowProblem(window: BackupWindow): string | undefined {
  if (!HHMM.test(window.start)) return `backup window start "${window.start}" is not HH:MM`;
  if (!HHMM.test(window.end)) return `backup window end "${window.end}" is not HH:MM`;
  if (window.start === window.end) return 'backup window start and end are equal (omit the window to allow any time)';
  return undefined;
}

function minutesOfDay(hhmm: string): number {
  const [, h, m] = HHMM.exec(hhmm)!;
  return Number(h) * 60 + Number(m);
}

export function isInsideWindow(instant: Date, window: BackupWindow, timeZone: string): boolean {
  const local = localParts(instant, timeZone);
  const now = local.hour * 60 + local.minute;
  const start = minutesOfDay(window.start);
  const end = minutesOfDay(window.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * When a job due at `due` may run: at `due` itself inside the window, else when the window next opens.
 * A job is moved, never dropped, so a schedule that fires outside its window still meets its RPO as
 * well as the window allows.
 */
export function placeInWindow(due: Date, window: BackupWindow | undefined, timeZone: string): Date {
  if (!window || isInsideWindow(due, window, timeZone)) return due;
  const [h, m] = window.start.split(':').map(Number);
  return nextCronTime(`${m} ${h} * * *`, timeZone, new Date(due.getTime() - 1));
}
