import { describe, expect, it } from 'vitest';
import { backupLockFor, DEFAULT_LOCK_DAYS, LOCK_DAYS_CEILING, lockDaysFor, retentionHorizonDays } from './object-lock';

describe('lockDaysFor', () => {
  it.each([
    [{ keepDaily: 7 }, 7],
    [{ keepHourly: 24 }, 1],
    [{ keepHourly: 25 }, 2],
    [{ keepHourly: 1 }, 1],
    [{ keepWeekly: 4 }, 28],
    [{ keepMonthly: 12 }, 372],
    [{ keepYearly: 7 }, 2562],
    // The longest rule wins, whatever the order or size of the others.
    [{ keepHourly: 48, keepDaily: 7, keepWeekly: 4, keepMonthly: 6 }, 186],
    [{ keepDaily: 400, keepMonthly: 12 }, 400],
    // keepLast has no time horizon: alone it falls back to the default, beside a calendar rule it adds nothing.
    [{ keepLast: 5 }, DEFAULT_LOCK_DAYS],
    [{ keepLast: 1000, keepDaily: 3 }, 3],
    [{ keepLast: 3, keepDaily: 0 }, DEFAULT_LOCK_DAYS],
    [{}, DEFAULT_LOCK_DAYS],
    // Capped where objectLock.days is.
    [{ keepYearly: 1000 }, LOCK_DAYS_CEILING],
  ])('%j → %i days', (retention, days) => {
    expect(lockDaysFor(retention)).toBe(days);
  });

  it('states its default', () => {
    expect(DEFAULT_LOCK_DAYS).toBe(30);
  });
});

describe('backupLockFor', () => {
  it('takes the policy\'s days when given, else derives them from its retention, and nothing without objectLock', () => {
    expect(backupLockFor({ objectLock: { mode: 'compliance', days: 90 }, retention: { keepDaily: 7 } })).toEqual({ mode: 'compliance', retainUntilDays: 90 });
    expect(backupLockFor({ objectLock: { mode: 'governance' }, retention: { keepWeekly: 8 } })).toEqual({ mode: 'governance', retainUntilDays: 56 });
    expect(backupLockFor({ retention: { keepDaily: 7 } })).toBeUndefined();
  });
});

describe('retentionHorizonDays', () => {
  it('is uncapped, and null without a calendar rule', () => {
    expect(retentionHorizonDays({ keepYearly: 1000 })).toBe(366_000);
    expect(retentionHorizonDays({ keepLast: 3 })).toBeNull();
  });
});
