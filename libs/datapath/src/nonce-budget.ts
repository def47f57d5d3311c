/**
 * Every seal draws a random 96-bit nonce (sealer.ts). NIST SP 800-38D (section 8.3) bounds the
 * invocations of one key with random 96-bit nonces to 2^32, which keeps the chance of a repeated
 * nonce (fatal for GCM: it leaks the authentication key) below 2^-32. ChaCha20-Poly1305 with
 * random 96-bit nonces has the same birthday bound, so the same budget is applied to both.
 */
export const NONCE_BUDGET = 2 ** 32;
/** At half the budget the operator is told to rotate (`arca keys rotate`), long before the bound. */
export const NONCE_WARN_FRACTION = 0.5;

export interface NonceBudget {
  /** Messages (chunks, pack headers, manifests, ...) sealed under the generation. */
  sealed: number;
  budget: number;
  /** sealed / budget. */
  used: number;
  /** Whether half the budget is spent: rotate, so new data is sealed under a fresh key. */
  rotate: boolean;
}

/** How much of a key generation's nonce budget `sealed` messages spend. */
export function nonceBudget(sealed: number): NonceBudget {
  if (!Number.isFinite(sealed) || sealed < 0) throw new RangeError(`a count of sealed messages is a non-negative number, got ${sealed}`);
  return { sealed, budget: NONCE_BUDGET, used: sealed / NONCE_BUDGET, rotate: sealed >= NONCE_BUDGET * NONCE_WARN_FRACTION };
}

/** Whether adding `added` messages to `before` crosses the warning line (warn once, when it is crossed). */
export function crossesNonceWarning(before: number, added: number): boolean {
  const line = NONCE_BUDGET * NONCE_WARN_FRACTION;
  return before < line && before + added >= line;
}
