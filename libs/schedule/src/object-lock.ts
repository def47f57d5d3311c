import type { RetentionRule } from './retention';

/**
 * The lock period of a policy whose rules give no time horizon (only keepLast): how long N
 * snapshots last depends on how often the policy runs, which the rules do not say. 30 days covers
 * a month of daily backups; a policy that needs another period sets objectLock.days.
 */
export const DEFAULT_LOCK_DAYS = 30;

/** The same ceiling as the policy's objectLock.days (100 years). */
export const LOCK_DAYS_CEILING = 36_500;

/**
 * How long, in days, to lock what a backup writes so that the retention rules can keep its
 * snapshot that long: the longest horizon among the calendar rules. keepYearly N can keep a
 * snapshot for N years (N × 366 days, so a leap year never falls short), keepMonthly N for N × 31
 * days, keepWeekly N for N weeks, keepDaily N for N days, keepHourly N for N hours (rounded up to
 * whole days). Rounding up errs on the side the lock exists for: a lock that outlasts a snapshot
 * only delays prune reclaiming its packs, one that ends early leaves the snapshot unprotected.
 * keepLast has no horizon; alone it gives DEFAULT_LOCK_DAYS, beside a calendar rule it adds nothing.
 * At most LOCK_DAYS_CEILING.
 */
export function lockDaysFor(retention: RetentionRule): number {
  return Math.min(retentionHorizonDays(retention) ?? DEFAULT_LOCK_DAYS, LOCK_DAYS_CEILING);
}

/** The longest the calendar rules can keep a snapshot, in whole days, uncapped (see lockDaysFor); null when only keepLast (or nothing) is set. */
export function retentionHorizonDays(retention: RetentionRule): number | null {
  const longest = Math.max(
    (retention.keepYearly ?? 0) * 366,
    (retention.keepMonthly ?? 0) * 31,
    (retention.keepWeekly ?? 0) * 7,
    retention.keepDaily ?? 0,
    Math.ceil((retention.keepHourly ?? 0) / 24),
  );
  return longest > 0 ? longest : null;
}

/** What a backup of a policy is locked with: the policy's mode, for its days or those its rules imply; undefined without objectLock. */
export function backupLockFor(policy: { objectLock?: { mode: 'compliance' | 'governance'; days?: number }; retention: RetentionRule }): { mode: 'compliance' | 'governance'; retainUntilDays: number } | undefined {
  if (!policy.objectLock) return undefined;
  return { mode: policy.objectLock.mode, retainUntilDays: policy.objectLock.days ?? lockDaysFor(policy.retention) };
}
