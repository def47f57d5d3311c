import { describe, expect, it } from 'vitest';
import { retryDelayMs, signatureHeader, verifySignature } from './webhook-signature';

describe('webhook signatures', () => {
  const body = '{"type":"backup.failed","data":{"jobId":"j"}}';

  it('verifies what it signed, and nothing altered, re-keyed or stale', () => {
    const now = 1_800_000_000;
    const header = signatureHeader('whsec_a', now, body);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('whsec_a', header, body, now + 10)).toBe(true);
    expect(verifySignature('whsec_a', header, body.replace('j', 'k'), now)).toBe(false);
    expect(verifySignature('whsec_b', header, body, now)).toBe(false);
    expect(verifySignature('whsec_a', header, body, now + 301)).toBe(false);
    expect(verifySignature('whsec_a', header.replace('t=1800000000', 't=1800000001'), body, now)).toBe(false);
    expect(verifySignature('whsec_a', 'v1=abc', body, now)).toBe(false);
  });

  it('backs off exponentially, capped at an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 1000)).toBe(3_600_000);
  });
});
