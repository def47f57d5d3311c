import { describe, expect, it } from 'vitest';
import { FakeClock, shiftedClock } from './clock';
import { rpoDeadline, rpoStatus, rpoTransition } from './rpo';
import { decideDue, MAX_RETRY_BACKOFF_SECONDS, nextDueTime, retryDelaySeconds, windowCloseAfter, windowEndAction } from './scheduling';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();
const GRACE = 5 * 60_000;

describe('nextDueTime', () => {
  it('follows the cron expression', () => {
    expect(iso(nextDueTime({ cron: '*/15 * * * *', timezone: 'UTC' }, at('2026-05-01T10:07:00Z')))).toBe('2026-05-01T10:15:00.000Z');
  });

  it('moves a due time outside the backup window to its opening', () => {
    const hourly = { cron: '0 * * * *', timezone: 'UTC', window: { start: '01:00', end: '05:00' } };
    expect(iso(nextDueTime(hourly, at('2026-05-01T10:30:00Z')))).toBe('2026-05-02T01:00:00.000Z');
    expect(iso(nextDueTime(hourly, at('2026-05-02T01:30:00Z')))).toBe('2026-05-02T02:00:00.000Z');
  });
});

describe('decideDue (catch-up and windows)', () => {
  const hourly = { cron: '0 * * * *', timezone: 'UTC' };

  it('runs a due time on time and resumes at the next one', () => {
    expect(decideDue(hourly, at('2026-05-01T10:00:00Z'), at('2026-05-01T10:00:01Z'), GRACE)).toEqual({
      runFor: at('2026-05-01T10:00:00Z'), nextDueAt: at('2026-05-01T11:00:00Z'), why: 'on time',
    });
  });

  it('"once": one job for every missed due time after downtime, then the schedule resumes', () => {
    // down from 09:59 to 14:20: 10:00 … 14:00 were missed
    const d = decideDue({ ...hourly, catchUp: 'once' }, at('2026-05-01T10:00:00Z'), at('2026-05-01T14:20:00Z'), GRACE);
    expect(d).toEqual({ runFor: at('2026-05-01T10:00:00Z'), nextDueAt: at('2026-05-01T15:00:00Z'), why: 'catching up' });
  });

  it('"skip": nothing for the missed due times, resume at the next', () => {
    const d = decideDue({ ...hourly, catchUp: 'skip' }, at('2026-05-01T10:00:00Z'), at('2026-05-01T14:20:00Z'), GRACE);
    expect(d).toEqual({ nextDueAt: at('2026-05-01T15:00:00Z'), why: 'missed, skipped' });
  });

  it('counts a due time more than the grace late as missed even before the following one', () => {
    const daily = { cron: '0 2 * * *', timezone: 'UTC', catchUp: 'skip' as const };
    expect(decideDue(daily, at('2026-05-01T02:00:00Z'), at('2026-05-01T02:04:00Z'), GRACE).runFor).toEqual(at('2026-05-01T02:00:00Z'));
    expect(decideDue(daily, at('2026-05-01T02:00:00Z'), at('2026-05-01T02:06:00Z'), GRACE)).toEqual({ nextDueAt: at('2026-05-02T02:00:00Z'), why: 'missed, skipped' });
  });

  it('never starts a job outside its window: a due time in the window reached after it closed waits for the next opening ("once")', () => {
    const night = { cron: '50 4 * * *', timezone: 'UTC', window: { start: '01:00', end: '05:00' } };
    // due 04:50, the scheduler was down until 05:02: still within the grace, but the window has closed
    expect(decideDue({ ...night, catchUp: 'once' }, at('2026-05-01T04:50:00Z'), at('2026-05-01T05:02:00Z'), GRACE))
      .toEqual({ nextDueAt: at('2026-05-02T01:00:00Z'), why: 'missed, waiting for the window' });
    expect(decideDue({ ...night, catchUp: 'skip' }, at('2026-05-01T04:50:00Z'), at('2026-05-01T05:02:00Z'), GRACE))
      .toEqual({ nextDueAt: at('2026-05-02T04:50:00Z'), why: 'missed, skipped' });
    // at the opening, the catch-up job is on time
    expect(decideDue({ ...night, catchUp: 'once' }, at('2026-05-02T01:00:00Z'), at('2026-05-02T01:00:01Z'), GRACE).runFor).toEqual(at('2026-05-02T01:00:00Z'));
  });
});

describe('window end', () => {
  it('finds when the window a job started in closes, across midnight and in the policy time zone', () => {
    expect(iso(windowCloseAfter(at('2026-05-01T23:30:00Z'), { start: '22:00', end: '06:00' }, 'UTC'))).toBe('2026-05-02T06:00:00.000Z');
    expect(iso(windowCloseAfter(at('2026-01-10T00:30:00Z'), { start: '01:00', end: '05:00' }, 'Europe/Paris'))).toBe('2026-01-10T04:00:00.000Z');
    expect(windowCloseAfter(at('2026-05-01T23:30:00Z'), null, 'UTC')).toBeUndefined();
  });

  it('cancels only for windowEnd "cancel", once the window has closed', () => {
    const closes = at('2026-05-01T05:00:00Z');
    expect(windowEndAction('cancel', closes, at('2026-05-01T04:59:59Z'))).toBe('none');
    expect(windowEndAction('cancel', closes, at('2026-05-01T05:00:00Z'))).toBe('cancel');
    expect(windowEndAction('finish', closes, at('2026-05-01T06:00:00Z'))).toBe('none');
    expect(windowEndAction('cancel', null, at('2026-05-01T06:00:00Z'))).toBe('none');
  });
});

describe('retry backoff', () => {
  it('doubles the wait with each attempt up to the limit, then stops', () => {
    const rule = { maxAttempts: 4, backoffSeconds: 30 };
    expect([1, 2, 3, 4].map((a) => retryDelaySeconds(rule, a))).toEqual([30, 60, 120, undefined]);
    expect(retryDelaySeconds({ maxAttempts: 3 }, 1)).toBe(60);
    expect(retryDelaySeconds({ maxAttempts: 1 }, 1)).toBeUndefined();
    expect(retryDelaySeconds(undefined, 1)).toBeUndefined();
    expect(retryDelaySeconds({ maxAttempts: 10, backoffSeconds: 3600 }, 9)).toBe(MAX_RETRY_BACKOFF_SECONDS);
  });
});

describe('RPO watch', () => {
  const since = at('2026-05-01T00:00:00Z');

  it('gives a new policy one RPO from when it became known, then counts from the last success', () => {
    expect(rpoDeadline(null, since, 60)).toEqual(at('2026-05-01T01:00:00Z'));
    expect(rpoDeadline(at('2026-05-01T03:00:00Z'), since, 60)).toEqual(at('2026-05-01T04:00:00Z'));
  });

  it('announces a breach once and a restoration once', () => {
    const deadline = at('2026-05-01T01:00:00Z');
    expect(rpoTransition({ deadline, breached: false, now: at('2026-05-01T01:00:00Z') })).toBe('none');
    expect(rpoTransition({ deadline, breached: false, now: at('2026-05-01T01:00:01Z') })).toBe('breach');
    expect(rpoTransition({ deadline, breached: true, now: at('2026-05-01T02:00:00Z') })).toBe('none');
    expect(rpoTransition({ deadline: at('2026-05-01T03:00:00Z'), breached: true, now: at('2026-05-01T02:00:00Z') })).toBe('restore');
  });

  it('reports the same standing as the watch', () => {
    expect(rpoStatus(null, 60, at('2026-05-01T00:30:00Z'), since)).toEqual({ compliant: true, ageMinutes: null, breachAt: at('2026-05-01T01:00:00Z') });
    expect(rpoStatus(null, 60, at('2026-05-01T01:00:01Z'), since).compliant).toBe(false);
    expect(rpoStatus(null, 60, at('2026-05-01T00:30:00Z')).compliant).toBe(false);
  });
});

describe('clocks', () => {
  it('a fake clock moves only when told to', () => {
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    expect(clock.now()).toEqual(at('2026-05-01T00:00:00Z'));
    expect(clock.advance(90_000)).toEqual(at('2026-05-01T00:01:30Z'));
  });

  it('a shifted clock starts where it is told and runs at its rate', () => {
    let real = 1_000_000;
    const clock = shiftedClock('2026-05-01T04:59:00Z@10x', () => real)!;
    expect(clock.now()).toEqual(at('2026-05-01T04:59:00Z'));
    real += 6_000;
    expect(clock.now()).toEqual(at('2026-05-01T05:00:00Z'));
    expect(shiftedClock('')).toBeUndefined();
    expect(() => shiftedClock('yesterday')).toThrow(/SCHEDULER_CLOCK/);
  });
});
