/**
 * When the launcher restarts a service that exited: at once-ish after a long run, backing off
 * when it keeps dying (a bad configuration, a lost database), so a crash loop neither spins the
 * CPU nor waits long once the cause is gone.
 */
export const RESTART_POLICY = {
  /** The first restart waits this long, doubling per consecutive quick exit... */
  firstDelayMs: 1000,
  /** ...up to this. */
  maxDelayMs: 30_000,
  /** A service that ran this long before exiting starts the count again. */
  healthyRunMs: 60_000,
};

/** Consecutive quick exits so far, given the last count and how long the service ran this time. */
export function nextFailureCount(previous: number, ranForMs: number, policy = RESTART_POLICY): number {
  return ranForMs >= policy.healthyRunMs ? 1 : previous + 1;
}

/** How long to wait before the restart after `failures` consecutive quick exits (1 = the first). */
export function restartDelayMs(failures: number, policy = RESTART_POLICY): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, failures - 1));
}
