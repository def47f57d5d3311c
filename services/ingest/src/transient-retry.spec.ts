import { describe, expect, it } from 'vitest';
import { IN_JOB_RETRY, isTransient, retryDelayMs, retryTransient } from './transient-retry';

/** A call failing with `errors` in turn, then answering 'ok'; counts its calls. */
function failing(...errors: unknown[]) {
  const call = async () => {
    call.calls++;
    if (call.calls <= errors.length) throw errors[call.calls - 1];
    return 'ok';
  };
  call.calls = 0;
  return call;
}

const noWait = async () => undefined;
const refused = new Error('dedupe-index unreachable at http://127.0.0.1:1/chunks/lookup: ECONNREFUSED', { cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }) });

describe('in-job retries of transient faults', () => {
  it('tells transient faults from the rest, through the causes', () => {
    expect(isTransient(refused)).toBe(true);
    expect(isTransient(new Error('S3 at http://x: put "data/ab/cd" failed: Request failed after 1 retries: Error: Retryable HTTP status: 503'))).toBe(true);
    expect(isTransient(new Error('S3: put "k" failed', { cause: Object.assign(new Error('We encountered an internal error'), { code: 'InternalError' }) }))).toBe(true);
    expect(isTransient(new Error('S3: put "k" failed: socket hang up (ECONNRESET)'))).toBe(true);
    expect(isTransient(new Error('dedupe-index /packs answered 503: busy'))).toBe(true);
    expect(isTransient(new Error('dedupe-index /packs answered 400: ids has 3 values for 2 chunk ids'))).toBe(false);
    expect(isTransient(new Error('S3: put "k" failed', { cause: Object.assign(new Error('Access Denied'), { code: 'AccessDenied' }) }))).toBe(false);
    expect(isTransient(new Error('object "k" is 70000000 bytes'))).toBe(false);
  });

  it('retries a transient fault with doubling waits, and answers once it passes', async () => {
    const waits: number[] = [];
    const call = failing(refused, refused, refused);
    expect(await retryTransient(call, undefined, IN_JOB_RETRY, async (ms) => void waits.push(ms))).toBe('ok');
    expect(call.calls).toBe(4);
    expect(waits).toEqual([250, 500, 1000]);
  });

  it('fails at once on an error that is not transient', async () => {
    const denied = new Error('dedupe-index /packs answered 400: bad');
    const call = failing(denied);
    await expect(retryTransient(call, undefined, IN_JOB_RETRY, noWait)).rejects.toBe(denied);
    expect(call.calls).toBe(1);
  });

  it('gives up after its attempts with the last error, having waited at most the stated total', async () => {
    const call = failing(...Array.from({ length: 20 }, () => refused));
    const heard: number[] = [];
    await expect(retryTransient(call, (_e, attempt) => void heard.push(attempt), IN_JOB_RETRY, noWait)).rejects.toBe(refused);
    expect(call.calls).toBe(IN_JOB_RETRY.attempts);
    expect(heard).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const total = heard.reduce((n, attempt) => n + retryDelayMs(attempt), 0);
    expect(total).toBe(23_750);
  });
});
