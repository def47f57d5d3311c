import { describe, expect, it } from 'vitest';
import { InvalidScheduleError, nextCronTime, scheduleProblem } from './cron';
import { applyRetention } from './retention';
import { rpoStatus } from './rpo';
import { isInsideWindow, placeInWindow, windowProblem } from './window';

const at = (iso: string) => new Date(iso);

describe('cron schedules', () => {
  it('finds the next due time in the policy time zone', () => {
    expect(nextCronTime('0 2 * * *', 'UTC', at('2026-03-01T02:00:00Z')).toISOString()).toBe('2026-03-02T02:00:00.000Z');
    // 02:00 in Paris is 01:00 UTC in winter.
    expect(nextCronTime('0 2 * * *', 'Europe/Paris', at('2026-01-10T00:00:00Z')).toISOString()).toBe('2026-01-10T01:00:00.000Z');
  });

  it('names what is wrong with a bad schedule', () => {
    expect(scheduleProblem('61 * * * *', 'UTC')).toMatch(/cron expression "61 \* \* \* \*" is invalid/);
    expect(scheduleProblem('* * *', 'UTC')).toMatch(/must have 5 fields/);
    expect(scheduleProblem('0 * * * *', 'Mars/Olympus')).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(() => nextCronTime('bad', 'UTC', new Date())).toThrow(InvalidScheduleError);
  });
});

describe('backup windows', () => {
  const night = { start: '22:00', end: '06:00' };

  it('knows windows that span midnight', () => {
    expect(isInsideWindow(at('2026-03-01T23:30:00Z'), night, 'UTC')).toBe(true);
    expect(isInsideWindow(at('2026-03-01T05:59:00Z'), night, 'UTC')).toBe(true);
    expect(isInsideWindow(at('2026-03-01T06:00:00Z'), night, 'UTC')).toBe(false);
    expect(isInsideWindow(at('2026-03-01T12:00:00Z'), { start: '09:00', end: '17:00' }, 'UTC')).toBe(true);
  });

  it('moves a due time outside the window to the window opening, and leaves one inside alone', () => {
    expect(placeInWindow(at('2026-03-01T12:00:00Z'), night, 'UTC').toISOString()).toBe('2026-03-01T22:00:00.000Z');
    expect(placeInWindow(at('2026-03-01T23:00:00Z'), night, 'UTC').toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(placeInWindow(at('2026-03-01T12:00:00Z'), undefined, 'UTC').toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('rejects malformed windows', () => {
    expect(windowProblem({ start: '25:00', end: '06:00' })).toMatch(/start "25:00" is not HH:MM/);
    expect(windowProblem({ start: '06:00', end: '06:00' })).toMatch(/equal/);
  });
});

describe('RPO', () => {
  it('is compliant while the last success is younger than the objective', () => {
    expect(rpoStatus(at('2026-03-01T10:00:00Z'), 60, at('2026-03-01T10:30:00Z'))).toMatchObject({ compliant: true, ageMinutes: 30 });
    expect(rpoStatus(at('2026-03-01T10:00:00Z'), 60, at('2026-03-01T11:30:00Z'))).toMatchObject({ compliant: false, ageMinutes: 90 });
    expect(rpoStatus(null, 60, at('2026-03-01T11:30:00Z')).compliant).toBe(false);
  });
});

describe('GFS retention', () => {
  // One snapshot every 6 hours for 60 days, newest first irrelevant: applyRetention sorts.
  const snapshots = Array.from({ length: 240 }, (_, i) => ({ id: `s${i}`, time: new Date(Date.UTC(2026, 0, 1) + i * 6 * 3600_000) }));

  it('keeps the newest of each bucket up to each count', () => {
    const decision = applyRetention(snapshots, { keepLast: 2, keepDaily: 7, keepWeekly: 4, keepMonthly: 3 });
    const kept = new Set(decision.keep.map((k) => k.id));
    expect(kept.has('s239')).toBe(true); // newest
    expect(kept.has('s238')).toBe(true); // last 2
    // 7 daily: the newest of each of the last 7 days → 18:00 of each day (index 4k+3).
    for (let d = 0; d < 7; d++) expect(kept.has(`s${239 - 4 * d}`)).toBe(true);
    expect(decision.keep.length + decision.forget.length).toBe(240);
    expect(decision.keep.length).toBeLessThanOrEqual(2 + 7 + 4 + 3);
    expect(decision.keep.find((k) => k.id === 's239')!.reasons).toEqual(expect.arrayContaining(['last 1']));
    // January's last snapshot is the monthly for January.
    expect(kept.has('s123')).toBe(true); // 2026-01-31T18:00Z = index 30*4+3
  });

  it('keeps everything when the rule keeps nothing', () => {
    expect(applyRetention(snapshots, {}).forget).toEqual([]);
  });

  it('uses ISO weeks for weekly buckets', () => {
    // 2026-01-04 is a Sunday (ISO week 1), 2026-01-05 a Monday (week 2).
    const two = [{ id: 'sun', time: at('2026-01-04T12:00:00Z') }, { id: 'mon', time: at('2026-01-05T12:00:00Z') }];
    expect(applyRetention(two, { keepWeekly: 2 }).keep.map((k) => k.reasons[0])).toEqual(['weekly 2026-W2', 'weekly 2026-W1']);
  });
});
