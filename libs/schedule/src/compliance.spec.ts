import { describe, expect, it } from 'vitest';
import { linearForecast, rpoCompliance } from './compliance';

const at = (iso: string) => new Date(`2026-${iso}Z`);
const H = 3_600_000;

describe('rpoCompliance: the share of a period a policy kept its RPO, and each breach with its causes', () => {
  it('is met all period when every gap between successes is within the RPO', () => {
    const r = rpoCompliance({
      rpoMinutes: 24 * 60, knownSince: at('01-01T00:00:00'),
      successes: [at('01-01T01:00:00'), at('01-02T01:00:00'), at('01-03T00:30:00'), at('01-04T00:00:00')],
      failures: [], period: { from: at('01-01T00:00:00'), to: at('01-04T12:00:00') },
    });
    expect(r.breaches).toEqual([]);
    expect(r.metShare).toBe(1);
    expect(r.observedMs).toBe(84 * H);
  });

  it('names a breach from the RPO deadline to the next success, with the failures since the last success as its causes', () => {
    const r = rpoCompliance({
      rpoMinutes: 24 * 60, knownSince: at('01-01T00:00:00'),
      successes: [at('01-01T01:00:00'), at('01-03T07:00:00')],
      failures: [
        { jobId: 'a', at: at('01-02T01:00:00'), error: 'ENOENT' },
        { jobId: 'b', at: at('01-02T13:00:00'), error: 'dedupe index down' },
        { jobId: 'c', at: at('01-03T09:00:00'), error: 'later, after the breach ended' },
      ],
      period: { from: at('01-01T00:00:00'), to: at('01-04T01:00:00') },
    });
    // Deadline 01-02T01:00, next success 01-03T07:00: 30 hours in breach of 73.
    expect(r.breaches).toEqual([{
      from: at('01-02T01:00:00'), to: at('01-03T07:00:00'), durationMs: 30 * H,
      causes: [{ jobId: 'a', at: at('01-02T01:00:00'), error: 'ENOENT' }, { jobId: 'b', at: at('01-02T13:00:00'), error: 'dedupe index down' }],
    }]);
    expect(r.breachedMs).toBe(30 * H);
    expect(r.metShare).toBeCloseTo(43 / 73, 10);
  });

  it('gives a new policy one RPO from when it became known, and leaves a breach open at the end of the period', () => {
    const r = rpoCompliance({
      rpoMinutes: 60, knownSince: at('02-01T10:00:00'), successes: [], failures: [{ jobId: 'x', at: at('02-01T10:30:00'), error: 'refused' }],
      period: { from: at('02-01T00:00:00'), to: at('02-01T14:00:00') },
    });
    // Observed from 10:00 (the policy did not exist before); breached from 11:00 to the end.
    expect(r.observedMs).toBe(4 * H);
    expect(r.breaches).toEqual([{ from: at('02-01T11:00:00'), to: null, durationMs: 3 * H, causes: [{ jobId: 'x', at: at('02-01T10:30:00'), error: 'refused' }] }]);
    expect(r.metShare).toBeCloseTo(0.25, 10);
  });

  it('counts a success before the period: a breach that began before the period is counted from its start', () => {
    const r = rpoCompliance({
      rpoMinutes: 60, knownSince: at('01-01T00:00:00'), successes: [at('03-01T00:00:00'), at('03-01T05:00:00')], failures: [],
      period: { from: at('03-01T02:00:00'), to: at('03-01T06:00:00') },
    });
    // In breach since 01:00; the period sees 02:00–05:00.
    expect(r.breaches.map((b) => [b.from, b.to, b.durationMs])).toEqual([[at('03-01T02:00:00'), at('03-01T05:00:00'), 3 * H]]);
    expect(r.metShare).toBeCloseTo(0.25, 10);
  });

  it('has no figure for a period before the policy existed', () => {
    expect(rpoCompliance({ rpoMinutes: 60, knownSince: at('05-01T00:00:00'), successes: [], failures: [], period: { from: at('04-01T00:00:00'), to: at('04-02T00:00:00') } }))
      .toEqual({ metShare: null, observedMs: 0, breachedMs: 0, breaches: [] });
  });
});

describe('linearForecast: growth per day and when a quota is reached', () => {
  const days = (values: number[]) => values.map((value, i) => ({ day: new Date(Date.UTC(2026, 0, 1 + i)), value }));

  it('fits a straight line and says when it reaches the limit', () => {
    const f = linearForecast(days([100, 110, 120, 130]), 200);
    expect(f.growthPerDay).toBeCloseTo(10, 10);
    expect(f.current).toBeCloseTo(130, 10);
    expect(f.reachesLimitAt).toEqual(new Date(Date.UTC(2026, 0, 11))); // 7 days after the 4th
  });

  it('never reaches a limit when storage does not grow, and needs two days', () => {
    expect(linearForecast(days([100, 90, 80]), 200).reachesLimitAt).toBeNull();
    expect(linearForecast(days([100]), 200)).toEqual({ growthPerDay: null, current: 100, reachesLimitAt: null });
    expect(linearForecast(days([100, 120]), null).reachesLimitAt).toBeNull();
  });
});
