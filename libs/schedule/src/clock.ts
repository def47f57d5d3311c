/**
 * Where the scheduler reads the time. Production uses the system clock; tests drive a FakeClock, so
 * no test waits for real time and a test can play days of schedule in milliseconds.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  private ms: number;

  constructor(start: Date | string) {
    this.ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): Date {
    this.ms += ms;
    return this.now();
  }

  set(instant: Date | string): Date {
    this.ms = new Date(instant).getTime();
    return this.now();
  }
}

/**
 * A clock that starts at `start` and runs `rate` times as fast as real time: lets the whole platform
 * (end-to-end tests, demos) reach a window's end in seconds. Read from SCHEDULER_CLOCK as
 * "<ISO instant>[@<rate>x]"; undefined for an empty value.
 */
export function shiftedClock(spec: string | undefined, realNow: () => number = Date.now): Clock | undefined {
  if (!spec) return undefined;
  const match = /^([^@]+?)(?:@(\d+(?:\.\d+)?)x)?$/.exec(spec.trim());
  const start = match ? new Date(match[1]).getTime() : NaN;
  if (!match || Number.isNaN(start)) throw new Error(`SCHEDULER_CLOCK "${spec}" is not "<ISO instant>[@<rate>x]"`);
  const rate = match[2] ? Number(match[2]) : 1;
  const origin = realNow();
  return { now: () => new Date(start + (realNow() - origin) * rate) };
}
