/**
 * The rules of a snapshot's copy to a replica site, as pure functions: which snapshots a site
 * gets, when a failed copy is tried again, when a failure is announced, and how far a site lags.
 */

/** Retrying a failed copy: the first retry after `firstMs`, doubling per failure, never more than `maxMs` apart. */
export interface RetryBackoff {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { firstMs: 1000, maxMs: 300_000 };

/** The wait after the `failures`-th failed attempt in a row (1 = the first failure). */
export function retryDelayMs(failures: number, backoff: RetryBackoff = DEFAULT_RETRY_BACKOFF): number {
  if (!Number.isInteger(failures) || failures < 1) throw new RangeError(`failures must be a whole number from 1, not ${failures}`);
  // 2 ** 30 is past any sane maxMs already; capping the exponent keeps the arithmetic finite.
  return Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(failures - 1, 30));
}

/** What replication knows of a policy (from policy.changed); deleted policies are kept, their snapshots still exist. */
export interface PolicyTargets {
  replicate: boolean | null;
  replicaSites: string[] | null;
}

/**
 * Whether a snapshot goes to `site`: "copy", "skip" (its policy says not to), or "wait" (its
 * policy is not known here yet: policy.changed may still be on its way; after `policyWaitMs` from
 * the snapshot's arrival, the copy goes ahead as for a policy that does not say).
 */
export type CopyDecision = 'copy' | 'skip' | 'wait';

export function copyDecision(
  snapshot: { policyId: string | null; queuedAt: Date },
  policy: PolicyTargets | undefined,
  site: string,
  now: Date,
  policyWaitMs: number,
): CopyDecision {
  if (snapshot.policyId === null) return 'copy'; // a one-off backup: every site
  if (!policy) return now.getTime() - snapshot.queuedAt.getTime() < policyWaitMs ? 'wait' : 'copy';
  if (policy.replicate === false) return 'skip';
  if (policy.replicaSites && !policy.replicaSites.includes(site)) return 'skip';
  return 'copy';
}

/**
 * A failure episode is a site's (for one tenant's snapshots, so that each tenant hears of an
 * outage in its own events): it begins with a failed copy while the site was not failing,
 * and ends with the next copy that reaches the site. replication.failed is published once per
 * episode, at its first failure (naming that copy and its reason), and once per copy at most:
 * the other copies failing in the same episode are covered by its announcement, and a copy that
 * keeps failing after the site recovered (its own cause, not the site's) is not announced again.
 */
export interface FailureState {
  /** Attempts the copy has made before this one (all failed: a copy ends when one succeeds). */
  attempts: number;
  /** Whether a replication.failed has named this copy, or an episode's announcement covered it. */
  announced: boolean;
  /** When the site's current failure episode began; null when the site is not failing. */
  siteFailingSince: Date | null;
}

export interface AfterFailure {
  attempts: number;
  nextAttemptAt: Date;
  /** True when this failure begins an episode: publish replication.failed now. */
  announce: boolean;
  announced: boolean;
  /** The site's episode after this failure (still null when an announced copy failed again while the site was fine). */
  siteFailingSince: Date | null;
}

/** A failed attempt: count it, schedule the next with backoff, and decide whether it is announced. */
export function afterFailure(state: FailureState, now: Date, backoff: RetryBackoff = DEFAULT_RETRY_BACKOFF): AfterFailure {
  const attempts = state.attempts + 1;
  const announce = !state.announced && state.siteFailingSince === null;
  return {
    attempts,
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, backoff)),
    announce,
    announced: true,
    // A failure of a copy announced before (its own cause) does not begin an episode: the next new failure should still be told.
    siteFailingSince: state.siteFailingSince ?? (announce ? now : null),
  };
}

/** A copy not yet at its site, for the lag. */
export interface PendingCopy {
  /** The snapshot's time: the point it recovers to. */
  snapshotTime: Date;
  /** Bytes still to copy (an estimate until the copy's first attempt has listed what the site lacks). */
  bytesPending: number;
}

export interface SiteLag {
  /** How far behind the site's recovery point is: the age of the oldest snapshot not yet there (0 when none is pending). */
  lagSeconds: number;
  bytesPending: number;
  snapshotsPending: number;
  oldestPendingSnapshotAt: string | null;
}

export function siteLag(pending: PendingCopy[], now: Date): SiteLag {
  if (pending.length === 0) return { lagSeconds: 0, bytesPending: 0, snapshotsPending: 0, oldestPendingSnapshotAt: null };
  const oldest = pending.reduce((a, b) => (b.snapshotTime < a.snapshotTime ? b : a));
  return {
    lagSeconds: Math.max(0, Math.round((now.getTime() - oldest.snapshotTime.getTime()) / 1000)),
    bytesPending: pending.reduce((sum, p) => sum + p.bytesPending, 0),
    snapshotsPending: pending.length,
    oldestPendingSnapshotAt: oldest.snapshotTime.toISOString(),
  };
}

/**
 * How long to wait before the next object so that the bytes sent since `startedAtMs` average at
 * most `limit` bytes per second (0 when they already do, or without a limit).
 */
export function throttleWaitMs(startedAtMs: number, bytesSent: number, limit: number | null, nowMs: number): number {
  if (!limit) return 0;
  return Math.max(0, Math.ceil(startedAtMs + (bytesSent / limit) * 1000 - nowMs));
}

/**
 * A policy's RPO at a replica site: breached while one of its snapshots has waited for the site
 * longer than the RPO (its oldest pending snapshot is older than rpoMinutes), restored once none
 * has. `oldestPending` is null when none of the policy's snapshots is pending for the site.
 */
export function replicaRpoBreached(oldestPending: Date | null, rpoMinutes: number, now: Date): boolean {
  return oldestPending !== null && now.getTime() - oldestPending.getTime() > rpoMinutes * 60_000;
}

export type RpoChange = { kind: 'breached' } | { kind: 'restored'; breachedAt: Date } | null;

/** What to publish for one policy and site, from whether it is breached now and the breach announced before (null: none). */
export function rpoChange(breachedNow: boolean, announcedBreachAt: Date | null): RpoChange {
  if (breachedNow && announcedBreachAt === null) return { kind: 'breached' };
  if (!breachedNow && announcedBreachAt !== null) return { kind: 'restored', breachedAt: announcedBreachAt };
  return null;
}
