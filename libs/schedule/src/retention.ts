import { localParts } from './local-time';

/** Grandfather-father-son retention: how many of the newest snapshots to keep in each kind of bucket. */
export interface RetentionRule {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

export interface SnapshotTime {
  id: string;
  time: Date;
}

export interface RetentionDecision {
  keep: Array<{ id: string; reasons: string[] }>;
  forget: string[];
}

type Bucket = Exclude<keyof RetentionRule, 'keepLast'>;

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
 * newest snapshot of each distinct hour/day/week/month/year is kept until that kind's count is used
 * up; `keepLast` keeps the N newest outright. A rule that keeps nothing keeps everything: forgetting
 * every snapshot is never what an operator meant.
 */
export function applyRetention(snapshots: SnapshotTime[], rule: RetentionRule, timeZone = 'UTC'): RetentionDecision {
  const sorted = [...snapshots].sort((a, b) => b.time.getTime() - a.time.getTime());
  const reasons = new Map<string, string[]>(sorted.map((s) => [s.id, []]));
  const anyRule = Object.values(rule).some((n) => (n ?? 0) > 0);
  if (!anyRule) {
    return { keep: sorted.map((s) => ({ id: s.id, reasons: ['no retention rule'] })), forget: [] };
  }
  sorted.slice(0, rule.keepLast ?? 0).forEach((s, i) => reasons.get(s.id)!.push(`last ${i + 1}`));
  for (const [kind, label] of BUCKETS) {
    let remaining = rule[kind] ?? 0;
    let previous: string | undefined;
    for (const snapshot of sorted) {
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
