import { DailyValue, linearForecast } from './compliance';

const DAY_MS = 86_400_000;

/** The UTC day (YYYY-MM-DD) an instant falls on: the storage read models' bucket. */
export function utcDay(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new Error('utcDay: not a valid time');
  return at.toISOString().slice(0, 10);
}

/** What one day changed in the bytes stored (added less freed), keyed by its UTC day. */
export interface DailyDelta {
  day: string;
  delta: number;
}

/**
 * The bytes stored at the end of each UTC day from `first` to `last` (both YYYY-MM-DD, inclusive):
 * `before` (what was stored before `first`) plus every delta up to that day. Deltas may come in any
 * order and skip days (a day without jobs keeps the day before's total); deltas before `first`
 * count into the first day.
 */
export function dailyTotals(deltas: DailyDelta[], first: string, last: string, before = 0): DailyValue[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  const end = Date.parse(`${last}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new Error(`dailyTotals: "${first}" to "${last}" are not days (YYYY-MM-DD)`);
  const sorted = [...deltas].sort((a, b) => a.day.localeCompare(b.day));
  const out: DailyValue[] = [];
  let total = before;
  let next = 0;
  for (let t = start; t <= end; t += DAY_MS) {
    const key = utcDay(new Date(t));
    while (next < sorted.length && sorted[next].day <= key) total += sorted[next++].delta;
    out.push({ day: new Date(t), value: total });
  }
  return out;
}

/** A quota against a daily series: the quota, and the day it is (or was) reached. */
export interface QuotaOutlook {
  quotaBytes: number;
  /** The first day of the series at or over the quota, or the day the fitted line reaches it; null: not at this rate. */
  reachedOn: string | null;
  /** True when the series already stands at or over the quota. */
  reached: boolean;
}

/**
 * When a quota is reached: already, on the first day the series stood at or over it (even if it
 * shrank back below since, the last value decides `reached`); otherwise when the least-squares line
 * (linearForecast) crosses it, never when storage does not grow.
 */
export function quotaOutlook(series: DailyValue[], quotaBytes: number): QuotaOutlook {
  if (!(quotaBytes > 0)) throw new Error(`quotaOutlook: a quota must be a positive number of bytes, not ${quotaBytes}`);
  const last = series.at(-1);
  if (last && last.value >= quotaBytes) {
    // The day it got there in the run of days at or over it that ends today.
    let i = series.length - 1;
    while (i > 0 && series[i - 1].value >= quotaBytes) i--;
    return { quotaBytes, reachedOn: utcDay(series[i].day), reached: true };
  }
  const forecast = linearForecast(series, quotaBytes);
  return { quotaBytes, reachedOn: forecast.reachesLimitAt ? utcDay(forecast.reachesLimitAt) : null, reached: false };
}
