import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter';

describe('RateMeter', () => {
  it('knows no rate until two readings exist', () => {
    const m = new RateMeter();
    expect(m.rate()).toBeUndefined();
    m.sample(100, 0);
    expect(m.rate()).toBeUndefined();
    expect(m.etaMs(1000)).toBeUndefined();
  });

  it('measures over the recent window only, so a stall shows', () => {
    const m = new RateMeter(2_000);
    m.sample(0, 0);
    m.sample(10_000, 1_000);
    expect(m.rate()).toBe(10_000);
    expect(m.etaMs(30_000)).toBe(2_000);
    // Nothing moves for three seconds: the window forgets the fast start.
    m.sample(10_000, 2_000);
    m.sample(10_000, 3_000);
    m.sample(10_000, 4_000);
    expect(m.rate()).toBe(0);
    expect(m.etaMs(30_000)).toBeUndefined();
  });

  it('starts over when the counter goes backwards', () => {
    const m = new RateMeter();
    m.sample(5_000, 0);
    m.sample(100, 1_000);
    expect(m.rate()).toBeUndefined();
    m.sample(1_100, 2_000);
    expect(m.rate()).toBe(1_000);
  });
});
