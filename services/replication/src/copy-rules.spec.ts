import { describe, expect, it } from 'vitest';
import { afterFailure, copyDecision, replicaRpoBreached, retryDelayMs, rpoChange, siteLag, throttleWaitMs } from './copy-rules';

const t0 = new Date('2026-12-03T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('the retry schedule of a failed copy', () => {
  it('waits 1 s after the first failure, doubling up to 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => retryDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000]);
    expect(retryDelayMs(10_000)).toBe(300_000); // no overflow after a long outage
  });

  it('follows a configured schedule', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, { firstMs: 250, maxMs: 1000 }))).toEqual([250, 500, 1000, 1000]);
  });

  it('refuses a failure count that is not a whole number from 1', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => retryDelayMs(n)).toThrow(/failures must be a whole number from 1/);
  });
});

describe('failure episodes', () => {
  const backoff = { firstMs: 1000, maxMs: 8000 };

  it('announces the first failure of a copy while the site is fine, and begins the site\'s episode', () => {
    const r = afterFailure({ attempts: 0, announced: false, siteFailingSince: null }, t0, backoff);
    expect(r).toEqual({ attempts: 1, nextAttemptAt: at(1000), announce: true, announced: true, siteFailingSince: t0 });
  });

  it('does not announce the retries of the same copy, which back off', () => {
    let state = { attempts: 0, announced: false, siteFailingSince: null as Date | null };
    const announced: boolean[] = [];
    const waits: number[] = [];
    let now = t0;
    for (let i = 0; i < 6; i++) {
      const r = afterFailure(state, now, backoff);
      announced.push(r.announce);
      waits.push(r.nextAttemptAt.getTime() - now.getTime());
      state = { attempts: r.attempts, announced: r.announced, siteFailingSince: r.siteFailingSince };
      now = r.nextAttemptAt;
    }
    expect(announced).toEqual([true, false, false, false, false, false]);
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(state.siteFailingSince).toEqual(t0);
  });

  it('covers other copies failing in the same episode with its one announcement', () => {
    const r = afterFailure({ attempts: 0, announced: false, siteFailingSince: t0 }, at(5000), backoff);
    expect(r.announce).toBe(false);
    expect(r.announced).toBe(true);
    expect(r.siteFailingSince).toEqual(t0);
  });

  it('announces a new episode once the site recovered (a copy reached it), but not a copy announced before', () => {
    // The site recovered: its episode ended (siteFailingSince null). A new copy fails: a new episode.
    expect(afterFailure({ attempts: 0, announced: false, siteFailingSince: null }, at(60_000), backoff)).toMatchObject({ announce: true, siteFailingSince: at(60_000) });
    // A copy that failed (and was announced) before keeps failing for a cause of its own: not again, and no episode begins.
    expect(afterFailure({ attempts: 4, announced: true, siteFailingSince: null }, at(60_000), backoff)).toMatchObject({ announce: false, attempts: 5, siteFailingSince: null });
  });
});

describe('which snapshots a site gets', () => {
  const queued = { policyId: 'p', queuedAt: t0 };
  it('copies one-off backups and policies that do not say', () => {
    expect(copyDecision({ policyId: null, queuedAt: t0 }, undefined, 'replica', t0, 60_000)).toBe('copy');
    expect(copyDecision(queued, { replicate: null, replicaSites: null }, 'replica', t0, 60_000)).toBe('copy');
    expect(copyDecision(queued, { replicate: true, replicaSites: null }, 'replica', t0, 60_000)).toBe('copy');
  });

  it('skips a policy with replicate false, and sites its replicaSites do not name', () => {
    expect(copyDecision(queued, { replicate: false, replicaSites: null }, 'replica', t0, 60_000)).toBe('skip');
    expect(copyDecision(queued, { replicate: true, replicaSites: ['dr-west'] }, 'replica', t0, 60_000)).toBe('skip');
    expect(copyDecision(queued, { replicate: null, replicaSites: ['dr-west', 'replica'] }, 'replica', t0, 60_000)).toBe('copy');
  });

  it('waits for a policy it has not heard of, then copies', () => {
    expect(copyDecision(queued, undefined, 'replica', at(59_999), 60_000)).toBe('wait');
    expect(copyDecision(queued, undefined, 'replica', at(60_000), 60_000)).toBe('copy');
  });
});

describe('a site\'s lag', () => {
  it('is the age of the oldest snapshot not yet there, and the bytes still to copy', () => {
    expect(siteLag([], t0)).toEqual({ lagSeconds: 0, bytesPending: 0, snapshotsPending: 0, oldestPendingSnapshotAt: null });
    const lag = siteLag([{ snapshotTime: at(-30_000), bytesPending: 100 }, { snapshotTime: at(-90_400), bytesPending: 2_000_000 }], t0);
    expect(lag).toEqual({ lagSeconds: 90, bytesPending: 2_000_100, snapshotsPending: 2, oldestPendingSnapshotAt: at(-90_400).toISOString() });
  });
});

describe('the bandwidth limit of copies', () => {
  it('waits until the bytes sent average at most the limit', () => {
    expect(throttleWaitMs(0, 1_000_000, null, 10)).toBe(0);
    expect(throttleWaitMs(0, 1_000_000, 1_000_000, 250)).toBe(750);
    expect(throttleWaitMs(0, 1_000_000, 1_000_000, 1500)).toBe(0);
  });
});

describe("a policy's RPO at a replica site", () => {
  it('is breached once a snapshot has waited for the site longer than the RPO', () => {
    expect(replicaRpoBreached(null, 1, t0)).toBe(false);
    expect(replicaRpoBreached(at(-60_000), 1, t0)).toBe(false);
    expect(replicaRpoBreached(at(-60_001), 1, t0)).toBe(true);
  });

  it('is announced once per breach, and restored once', () => {
    expect(rpoChange(true, null)).toEqual({ kind: 'breached' });
    expect(rpoChange(true, t0)).toBeNull();
    expect(rpoChange(false, t0)).toEqual({ kind: 'restored', breachedAt: t0 });
    expect(rpoChange(false, null)).toBeNull();
  });
});
