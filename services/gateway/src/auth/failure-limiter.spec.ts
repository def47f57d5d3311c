import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter';

describe('FailureLimiter', () => {
  it('limits a subject after its failures in a window, says when to return, and forgets at the window end', () => {
    let now = 1_000_000;
    const limiter = new FailureLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('addr:10.0.0.1')).toBe(0);
      expect(limiter.fail('addr:10.0.0.1')).toBe(i === 2); // the failure that reaches the limit says so, once
    }
    expect(limiter.retryAfterSeconds('addr:10.0.0.1')).toBe(60);
    expect(limiter.retryAfterSeconds('addr:10.0.0.2')).toBe(0); // subjects are counted apart
    now += 45_500;
    expect(limiter.retryAfterSeconds('addr:10.0.0.1')).toBe(15);
    now += 14_500;
    expect(limiter.retryAfterSeconds('addr:10.0.0.1')).toBe(0);
    limiter.fail('addr:10.0.0.1');
    expect(limiter.retryAfterSeconds('addr:10.0.0.1')).toBe(0); // a new window
  });
});
