import { rpoDeadline } from './rpo';

/** A period, [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

/** A backup that did not succeed, as a cause of the breach it falls in. */
export interface FailedRun {
  jobId: string;
  at: Date;
  error: string | null;
}

/** One stretch of a period during which the policy's newest good backup was older than its RPO. */
export interface RpoBreach {
  from: Date;
  /** null: still breached at the end of the period. */
  to: Date | null;
  durationMs: number;
  /** The failed backups from the last success before the breach to its end: why no backup met it. */
  causes: FailedRun[];
}

export interface RpoCompliance {
  /** The share of the period (of the part the policy existed in) the RPO was met, 0–1; null when the policy did not exist in it. */
  metShare: number | null;
  /** Milliseconds of the period the policy existed in, and of those, the milliseconds in breach. */
  observedMs: number;
  breachedMs: number;
  breaches: RpoBreach[];
}

/**
 * How a policy kept its RPO over a period, by the scheduler's own rule (rpoDeadline: a backup's
 * RPO runs from its success; a policy never backed up is given one RPO from when it became known):
 * at each moment the RPO is met when the newest successful backup so far is at most `rpoMinutes`
 * old. `successes` are the finishing times of successful backups (any order, any time: those
 * before the period decide how it starts); `failures` become the causes of the breaches they fall in.
 */
export function rpoCompliance(input: {
  rpoMinutes: number;
  knownSince: Date;
  successes: Date[];
  failures: FailedRun[];
  period: Period;
}): RpoCompliance {
  const from = Math.max(input.period.from.getTime(), input.knownSince.getTime());
  const to = input.period.to.getTime();
  if (to <= from) return { metShare: null, observedMs: 0, breachedMs: 0, breaches: [] };
  const successes = input.successes.map((d) => d.getTime()).filter((t) => t >= input.knownSince.getTime() && t < to).sort((a, b) => a - b);
  const breaches: RpoBreach[] = [];
  // Each run of time between one success (or the policy's start) and the next: in breach from its deadline on.
  let last: number | null = null;
  for (let i = 0; i <= successes.length; i++) {
    const next = i < successes.length ? successes[i] : to;
    const deadline = rpoDeadline(last === null ? null : new Date(last), input.knownSince, input.rpoMinutes).getTime();
    const start = Math.max(deadline, from);
    const end = Math.min(next, to);
    if (end > start) {
      const since = last ?? input.knownSince.getTime();
      breaches.push({
        from: new Date(start), to: next < to ? new Date(end) : null, durationMs: end - start,
        causes: input.failures.filter((f) => f.at.getTime() >= since && f.at.getTime() < end).sort((a, b) => a.at.getTime() - b.at.getTime()),
      });
    }
    if (i < successes.length) last = successes[i];
  }
  const breachedMs = breaches.reduce((n, b) => n + b.durationMs, 0);
  const observedMs = to - from;
  return { metShare: (observedMs - breachedMs) / observedMs, observedMs, breachedMs, breaches };
}

/** A day's worth of a quantity, for a forecast. */
export interface DailyValue {
  day: Date;
  value: number;
}

export interface Forecast {
  /** Least-squares growth per day over the days given; null with fewer than two days. */
  growthPerDay: number | null;
  /** The value the fitted line gives for the last day. */
  current: number | null;
  /** When the fitted line reaches `limit`: null when it does not grow, when no limit is set, or with too few days. */
  reachesLimitAt: Date | null;
}

/** A straight-line forecast of a daily series (storage used), and when it reaches `limit` (a quota). */
export function linearForecast(series: DailyValue[], limit?: number | null): Forecast {
  if (series.length < 2) return { growthPerDay: null, current: series[0]?.value ?? null, reachesLimitAt: null };
  const day = 86_400_000;
  const t0 = series[0].day.getTime();
  const xs = series.map((s) => (s.day.getTime() - t0) / day);
  const ys = series.map((s) => s.value);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((n, x) => n + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : xs.reduce((n, x, i) => n + (x - mx) * (ys[i] - my), 0) / sxx;
  const lastX = xs[xs.length - 1];
  const current = my + slope * (lastX - mx);
  let reachesLimitAt: Date | null = null;
  if (limit !== undefined && limit !== null && slope > 0) {
    const daysFromLast = Math.max(0, (limit - current) / slope);
    reachesLimitAt = new Date(t0 + (lastX + daysFromLast) * day);
  }
  return { growthPerDay: slope, current, reachesLimitAt };
}
