/** How a policy stands against its recovery point objective at `now`. */
export interface RpoStatus {
  compliant: boolean;
  /** Minutes since the last successful backup (null: never backed up). */
  ageMinutes: number | null;
  /** When the RPO was (or will be) breached; null when neither a last success nor `since` is known. */
  breachAt: Date | null;
}

/**
 * When a policy breaches its RPO: `rpoMinutes` after its last successful backup, or, before its
 * first, after `since` (when the policy became known): a new policy is given one RPO to succeed.
 */
export function rpoDeadline(lastSuccessAt: Date | null, since: Date, rpoMinutes: number): Date {
  return new Date((lastSuccessAt ?? since).getTime() + rpoMinutes * 60_000);
}

/** The RPO watch's step: announce a breach once when the deadline passes, a restoration once a backup succeeds after it. */
export function rpoTransition(state: { deadline: Date; breached: boolean; now: Date }): 'breach' | 'restore' | 'none' {
  const over = state.now.getTime() > state.deadline.getTime();
  if (over && !state.breached) return 'breach';
  if (!over && state.breached) return 'restore';
  return 'none';
}

/**
 * A policy's standing at `now`, by the same deadline the scheduler's RPO watch announces breaches
 * with (so reports and policy.rpo_breached agree). Without `since`, a policy never backed up is
 * not compliant.
 */
export function rpoStatus(lastSuccessAt: Date | null, rpoMinutes: number, now: Date, since?: Date | null): RpoStatus {
  const ageMinutes = lastSuccessAt ? Math.round(((now.getTime() - lastSuccessAt.getTime()) / 60_000) * 10) / 10 : null;
  if (!lastSuccessAt && !since) return { compliant: false, ageMinutes, breachAt: null };
  const breachAt = rpoDeadline(lastSuccessAt, since ?? lastSuccessAt!, rpoMinutes);
  return { compliant: now.getTime() <= breachAt.getTime(), ageMinutes, breachAt };
}
