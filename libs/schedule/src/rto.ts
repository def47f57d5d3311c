/**
 * The RTO watch's step, after each passed test restore of a policy with an rtoMinutes: announce a
 * breach once when a measured (whole-snapshot, estimated) restore time exceeds the target, a
 * restoration once a later one is within it again. Test restores in between change nothing.
 */
export function rtoTransition(state: { measuredMs: number; rtoMinutes: number; breached: boolean }): 'breach' | 'restore' | 'none' {
  const over = state.measuredMs > state.rtoMinutes * 60_000;
  if (over && !state.breached) return 'breach';
  if (!over && state.breached) return 'restore';
  return 'none';
}
