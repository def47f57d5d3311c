import { describe, expect, it } from 'vitest';
import { nextFailureCount, RESTART_POLICY, restartDelayMs } from './restart-policy';

describe('restart policy of the launcher', () => {
  it('backs off exponentially on quick exits, up to a ceiling', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => restartDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('starts counting again after a healthy run', () => {
    expect(nextFailureCount(5, 1000)).toBe(6);
    expect(nextFailureCount(5, RESTART_POLICY.healthyRunMs)).toBe(1);
    expect(nextFailureCount(0, 10)).toBe(1);
  });
});
