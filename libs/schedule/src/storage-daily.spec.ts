import { describe, expect, it } from 'vitest';
import { dailyTotals, quotaOutlook, utcDay } from './storage-daily';

const day = (d: string) => new Date(`${d}T00:00:00Z`);

describe('utcDay: the bucket of an instant', () => {
  it('is the UTC day, whatever the zone the time was written in', () => {
    expect(utcDay(new Date('2026-03-01T23:59:59.999Z'))).toBe('2026-03-01');
    expect(utcDay(new Date('2026-03-02T00:30:00+02:00'))).toBe('2026-03-01');
    expect(() => utcDay(new Date('nope'))).toThrow(/not a valid time/);
  });
});

describe('dailyTotals: bytes stored at the end of each day', () => {
  it('adds each day its delta, keeps the total over days without any, and starts from what was stored before', () => {
    const series = dailyTotals([{ day: '2026-03-03', delta: -20 }, { day: '2026-03-01', delta: 100 }], '2026-03-01', '2026-03-04', 1000);
    expect(series.map((s) => [utcDay(s.day), s.value])).toEqual([['2026-03-01', 1100], ['2026-03-02', 1100], ['2026-03-03', 1080], ['2026-03-04', 1080]]);
  });

  it('counts deltas before the first day into it, and crosses a month end', () => {
    const series = dailyTotals([{ day: '2026-01-15', delta: 5 }, { day: '2026-02-01', delta: 7 }], '2026-01-31', '2026-02-01');
    expect(series).toEqual([{ day: day('2026-01-31'), value: 5 }, { day: day('2026-02-01'), value: 12 }]);
  });

  it('names days that are not days', () => {
    expect(() => dailyTotals([], '2026-13-01', '2026-01-02')).toThrow(/"2026-13-01" to "2026-01-02" are not days/);
  });
});

describe('quotaOutlook: the day a quota is reached', () => {
  const series = (values: number[]) => values.map((value, i) => ({ day: new Date(Date.UTC(2026, 0, 1 + i)), value }));

  it('forecasts the day the fitted line crosses the quota', () => {
    expect(quotaOutlook(series([100, 110, 120, 130]), 200)).toEqual({ quotaBytes: 200, reachedOn: '2026-01-11', reached: false });
  });

  it('says a quota already reached, from the first day of the run at or over it, even when storage shrinks', () => {
    expect(quotaOutlook(series([150, 250, 180, 210, 205]), 200)).toEqual({ quotaBytes: 200, reachedOn: '2026-01-04', reached: true });
  });

  it('never reaches a quota storage does not grow towards, and refuses a quota that is no quota', () => {
    expect(quotaOutlook(series([100, 100, 100]), 200)).toEqual({ quotaBytes: 200, reachedOn: null, reached: false });
    expect(() => quotaOutlook(series([1, 2]), 0)).toThrow(/positive number of bytes, not 0/);
  });
});
