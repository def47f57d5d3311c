import { describe, expect, it } from 'vitest';
import { applyRetention, parseWithin, RetentionRule, retentionProblem } from './retention';

const snap = (id: string, iso: string, held = false) => ({ id, time: new Date(iso), held });

interface Case {
  name: string;
  zone?: string;
  rule: RetentionRule;
  snapshots: ReturnType<typeof snap>[];
  kept: string[];
}

/** Each row: the snapshots, the rule, and what restic's forget would keep (newest first). */
const CASES: Case[] = [
  {
    name: 'keepLast keeps the N newest',
    rule: { keepLast: 2 },
    snapshots: [snap('a', '2026-01-01T00:00:00Z'), snap('b', '2026-01-02T00:00:00Z'), snap('c', '2026-01-03T00:00:00Z'), snap('d', '2026-01-04T00:00:00Z')],
    kept: ['d', 'c'],
  },
  {
    name: 'keepDaily keeps the newest of each day',
    rule: { keepDaily: 2 },
    snapshots: [snap('a', '2026-01-01T08:00:00Z'), snap('b', '2026-01-01T20:00:00Z'), snap('c', '2026-01-02T08:00:00Z'), snap('d', '2026-01-02T09:00:00Z')],
    kept: ['d', 'b'],
  },
  {
    name: 'days are the policy zone\'s days, not UTC\'s (23:30 UTC is the next day in Paris)',
    zone: 'Europe/Paris',
    rule: { keepDaily: 2 },
    snapshots: [snap('a', '2026-01-01T22:00:00Z'), snap('b', '2026-01-01T23:30:00Z'), snap('c', '2026-01-02T10:00:00Z')],
    kept: ['c', 'a'],
  },
  {
    name: 'the repeated hour at the autumn DST change is one hourly bucket (as restic reads local time)',
    zone: 'Europe/Paris',
    // 2026-10-25: 03:00 CEST goes back to 02:00 CET. 00:30Z = 02:30 CEST, 01:30Z = 02:30 CET.
    rule: { keepHourly: 3 },
    snapshots: [snap('a', '2026-10-24T23:30:00Z'), snap('b', '2026-10-25T00:30:00Z'), snap('c', '2026-10-25T01:30:00Z'), snap('d', '2026-10-25T02:30:00Z')],
    kept: ['d', 'c', 'a'],
  },
  {
    name: 'the skipped hour at the spring DST change leaves neighbouring hours distinct',
    zone: 'America/New_York',
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT. 06:30Z = 01:30 EST, 07:30Z = 03:30 EDT.
    rule: { keepHourly: 2, keepDaily: 1 },
    snapshots: [snap('a', '2026-03-08T06:30:00Z'), snap('b', '2026-03-08T07:30:00Z')],
    kept: ['b', 'a'],
  },
  {
    name: 'snapshots with equal times are ordered by id, whatever order they come in',
    rule: { keepLast: 1 },
    snapshots: [snap('a1', '2026-01-01T00:00:00Z'), snap('b2', '2026-01-01T00:00:00Z'), snap('a0', '2026-01-01T00:00:00Z')],
    kept: ['b2'],
  },
  {
    name: 'weekly buckets are ISO weeks (Sunday ends the week)',
    rule: { keepWeekly: 2 },
    snapshots: [snap('sat', '2026-01-03T12:00:00Z'), snap('sun', '2026-01-04T12:00:00Z'), snap('mon', '2026-01-05T12:00:00Z')],
    kept: ['mon', 'sun'],
  },
  {
    name: 'monthly and yearly take the newest of each',
    rule: { keepMonthly: 2, keepYearly: 2 },
    snapshots: [snap('y1', '2024-06-01T00:00:00Z'), snap('y2', '2025-03-01T00:00:00Z'), snap('m1', '2026-01-15T00:00:00Z'), snap('m2', '2026-02-15T00:00:00Z')],
    kept: ['m2', 'm1', 'y2'],
  },
  {
    name: 'keepWithin keeps what is younger than the span, measured from the newest snapshot',
    rule: { keepWithin: '2d' },
    snapshots: [snap('old', '2026-01-01T00:00:00Z'), snap('edge', '2026-01-08T00:00:00Z'), snap('in', '2026-01-08T00:00:01Z'), snap('new', '2026-01-10T00:00:00Z')],
    kept: ['new', 'in'],
  },
  {
    name: 'keepWithin months follow the calendar (and overflow as restic\'s AddDate does: 31 March less a month is 3 March)',
    rule: { keepWithin: '1m' },
    snapshots: [snap('feb10', '2026-02-10T12:00:00Z'), snap('feb20', '2026-02-20T12:00:00Z'), snap('mar15', '2026-03-15T12:00:00Z')],
    kept: ['mar15', 'feb20'],
  },
  {
    name: 'a month back from 31 March lands on 3 March',
    rule: { keepWithin: '1m' },
    snapshots: [snap('mar1', '2026-03-01T12:00:00Z'), snap('mar4', '2026-03-04T12:00:00Z'), snap('mar31', '2026-03-31T12:00:00Z')],
    kept: ['mar31', 'mar4'],
  },
  {
    name: 'a held snapshot is kept and does not use up a count',
    rule: { keepLast: 1 },
    snapshots: [snap('a', '2026-01-01T00:00:00Z', true), snap('b', '2026-01-02T00:00:00Z'), snap('c', '2026-01-03T00:00:00Z', true)],
    kept: ['c', 'b', 'a'],
  },
  {
    name: 'rules combine: a snapshot kept by any rule stays',
    rule: { keepLast: 1, keepDaily: 2 },
    snapshots: [snap('a', '2026-01-01T10:00:00Z'), snap('b', '2026-01-02T10:00:00Z'), snap('c', '2026-01-02T11:00:00Z')],
    kept: ['c', 'a'],
  },
  {
    name: 'a rule that keeps nothing keeps everything',
    rule: { keepLast: 0 },
    snapshots: [snap('a', '2026-01-01T00:00:00Z'), snap('b', '2026-01-02T00:00:00Z')],
    kept: ['b', 'a'],
  },
];

describe('retention against a table of cases', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const decision = applyRetention([...c.snapshots].reverse(), c.rule, c.zone ?? 'UTC');
      expect(decision.keep.map((k) => k.id)).toEqual(c.kept);
      expect(decision.forget.sort()).toEqual(c.snapshots.map((s) => s.id).filter((id) => !c.kept.includes(id)).sort());
    });
  }

  it('names the rules that keep each snapshot', () => {
    const decision = applyRetention([snap('a', '2026-01-01T00:00:00Z', true), snap('b', '2026-01-02T00:00:00Z')], { keepLast: 1, keepDaily: 1 });
    expect(decision.keep).toEqual([{ id: 'b', reasons: ['last 1', 'daily 2026-1-2'] }, { id: 'a', reasons: ['legal hold'] }]);
  });

  it('parses keepWithin spans and names a bad one', () => {
    expect(parseWithin('1y2m3d4h')).toEqual({ years: 1, months: 2, days: 3, hours: 4 });
    expect(parseWithin('36h')).toEqual({ years: 0, months: 0, days: 0, hours: 36 });
    expect(parseWithin('3 days')).toBeUndefined();
    expect(parseWithin('')).toBeUndefined();
    expect(retentionProblem({ keepWithin: 'soon' })).toMatch(/keepWithin "soon" is not a span/);
    expect(retentionProblem({ keepWithin: '7d' })).toBeUndefined();
  });
});
