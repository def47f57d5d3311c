/** How a policy stands against its recovery point objective at `now`. */
export interface RpoStatus {
  compliant: boolean;
  /** Minutes since the last successful backup (null: never backed up). */
  ageMinutes: number | null;
  /** When the RPO was (or will be) breached given the last success; null when never backed up. */
  breachAt: Date | null;
}

export function rpoStatus(lastSuccessAt: Date | null, rpoMinutes: number, now: Date): RpoStatus {
  if (!lastSuccessAt) return { compliant: false, ageMinutes: null, breachAt: null };
  const ageMinutes = (now.getTime() - lastSuccessAt.getTime()) / 60_000;
  return {
    compliant: ageMinutes <= rpoMinutes,
    ageMinutes: Math.round(ageMinutes * 10) / 10,
    breachAt: new Date(lastSuccessAt.getTime() + rpoMinutes * 60_000),
  };
}
