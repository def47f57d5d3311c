import { describe, expect, it } from 'vitest';
import { crossesNonceWarning, NONCE_BUDGET, nonceBudget } from './nonce-budget';

describe('the nonce budget of a key generation', () => {
  it('is 2^32 messages; rotation is due at half of it', () => {
    expect(NONCE_BUDGET).toBe(4_294_967_296);
    expect(nonceBudget(0)).toEqual({ sealed: 0, budget: NONCE_BUDGET, used: 0, rotate: false });
    expect(nonceBudget(2 ** 31 - 1).rotate).toBe(false);
    expect(nonceBudget(2 ** 31)).toMatchObject({ used: 0.5, rotate: true });
    expect(() => nonceBudget(-1)).toThrow('a count of sealed messages is a non-negative number, got -1');
  });

  it('warns once: when a batch crosses the half-way line, not before nor after', () => {
    expect(crossesNonceWarning(2 ** 31 - 10, 9)).toBe(false);
    expect(crossesNonceWarning(2 ** 31 - 10, 10)).toBe(true);
    expect(crossesNonceWarning(2 ** 31, 5)).toBe(false);
  });
});
