import { localParts } from './local-time';

/** Grandfather-father-son retention: how many of the newest snapshots to keep in each kind of bucket. */
export interface RetentionRule {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  /** Keep every snapshot made within this span of the newest one, e.g. "7d", "1y2m", "36h" (restic's --keep-within). */
  keepWithin?: string;
}

export interface SnapshotTime {
  id: string;
  time: Date;
  /** Under legal hold: kept whatever the rules say. */
  held?: boolean;
}

export interface RetentionDecision {
  /** Newest first, each with the rules that keep it. */
  keep: Array<{ id: string; reasons: string[] }>;
  /** Newest first. */
  forget: string[];
}

type Bucket = 'keepHourly' | 'keepDaily' | 'keepWeekly' | 'keepMonthly' | 'keepYearly';

/** A keepWithin span: years, months, days, hours (restic's duration syntax, e.g. "1y6m", "14d", "2d12h"). */
export interface WithinSpan {
  years: number;
  months: number;
  days: number;
  hours: number;
}

const SPAN = /^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)d)?(?:(\d+)h)?$/;

/** Parses a keepWithin span, or returns undefined when it is not one. */
export function parseWithin(text: string): WithinSpan | undefined {
  const m = SPAN.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  const [years, months, days, hours] = m.slice(1).map((v) => Number(v ?? 0));
  return { years, months, days, hours };
}

/** The reason a retention rule cannot be used, or undefined. */
export function retentionProblem(rule: RetentionRule): string | undefined {
  if (rule.keepWithin !== undefined && !parseWithin(rule.keepWithin)) {
    return `retention.keepWithin "${rule.keepWithin}" is not a span such as "7d", "36h" or "1y2m" (years y, months m, days d, hours h, in that order)`;
  }
  return undefined;
}

/** `latest` minus the span, by the calendar (months and years have their own lengths), as restic computes it. */
function withinThreshold(latest: Date, span: WithinSpan): number {
  const t = new Date(latest.getTime());
  t.setUTCFullYear(t.getUTCFullYear() - span.years, t.getUTCMonth() - span.months, t.getUTCDate() - span.days);
  return t.getTime() - span.hours * 3_600_000;
}

/** ISO-8601 week number and its year (a week belongs to the year holding its Thursday). */
function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = (date.getUTCDay() + 6) % 7; // Monday = 0
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const weekYear = date.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(weekYear, 0, 4));
  const week = 1 + Math.round(((date.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${weekYear}-W${week}`;
}

/** The local-time bucket of a snapshot; a repeated hour at a DST change is one bucket, as in restic. */
function bucketOf(kind: Bucket, time: Date, timeZone: string): string {
  const p = localParts(time, timeZone);
  switch (kind) {
    case 'keepHourly': return `${p.year}-${p.month}-${p.day}T${p.hour}`;
    case 'keepDaily': return `${p.year}-${p.month}-${p.day}`;
    case 'keepWeekly': return isoWeek(p.year, p.month, p.day);
    case 'keepMonthly': return `${p.year}-${p.month}`;
    case 'keepYearly': return `${p.year}`;
  }
}

const BUCKETS: Array<[Bucket, string]> = [
  ['keepHourly', 'hourly'], ['keepDaily', 'daily'], ['keepWeekly', 'weekly'], ['keepMonthly', 'monthly'], ['keepYearly', 'yearly'],
];

/**
 * Decides which snapshots a rule keeps, with restic's semantics: walking from newest to oldest, the
 * newest snapshot of each distinct hour/day/week/month/year (in the policy's time zone) is kept
 * until that kind's count is used up; `keepLast` keeps the N newest outright; `keepWithin` keeps
 * every snapshot made after the newest one's time minus the span. Snapshots with equal times are
 * ordered by id, so the decision never depends on the order they were listed in. A held snapshot is
 * kept and does not use up any count. A rule that keeps nothing keeps everything: forgetting every
 * snapshot is never what an operator meant.
 */
export function applyRetention(snapshots: SnapshotTime[], rule: RetentionRule, timeZone = 'UTC'): RetentionDecision {
  const sorted = [...snapshots].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const reasons = new Map<string, string[]>(sorted.map((s) => [s.id, s.held ? ['legal hold'] : []]));
  const within = rule.keepWithin !== undefined ? parseWithin(rule.keepWithin) : undefined;
  if (rule.keepWithin !== undefined && !within) throw new Error(retentionProblem(rule));
  const anyRule = BUCKETS.some(([kind]) => (rule[kind] ?? 0) > 0) || (rule.keepLast ?? 0) > 0 || (within && Object.values(within).some((n) => n > 0));
  if (!anyRule) {
    return { keep: sorted.map((s) => ({ id: s.id, reasons: s.held ? ['legal hold'] : ['no retention rule'] })), forget: [] };
  }
  const candidates = sorted.filter((s) => !s.held);
  candidates.slice(0, rule.keepLast ?? 0).forEach((s, i) => reasons.get(s.id)!.push(`last ${i + 1}`));
  if (within && candidates.length > 0) {
    const threshold = withinThreshold(candidates[0].time, within);
    for (const s of candidates) if (s.time.getTime() > threshold) reasons.get(s.id)!.push(`within ${rule.keepWithin} of the newest`);
  }
  for (const [kind, label] of BUCKETS) {
    let remaining = rule[kind] ?? 0;
    let previous: string | undefined;
    for (const snapshot of candidates) {
      if (remaining <= 0) break;
      const bucket = bucketOf(kind, snapshot.time, timeZone);
      if (bucket !== previous) {
        reasons.get(snapshot.id)!.push(`${label} ${bucket}`);
        remaining--;
        previous = bucket;
      }
    }
  }
  const keep = sorted.filter((s) => reasons.get(s.id)!.length > 0).map((s) => ({ id: s.id, reasons: reasons.get(s.id)! }));
  const forget = sorted.filter((s) => reasons.get(s.id)!.length === 0).map((s) => s.id);
  return { keep, forget };
}
