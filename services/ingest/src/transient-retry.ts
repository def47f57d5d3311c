/**
 * In-job retries of the idempotent calls on a backup's hot path, so a short outage of S3 or of
 * the dedupe-index (a 500/503 burst, a service killed and restarted, a connection cut) costs the
 * job a pause rather than the job:
 * - a pack PUT: its key is new (random, drawn when the pack was sealed) and no one else writes it,
 *   so a PUT repeated, even one the server stored but whose answer was lost, stores the same
 *   bytes under the same key;
 * - a dedupe lookup or locate: reads;
 * - a pack's registration in the index: the same pack and rows again;
 * - the snapshot's pack list and manifest PUTs: their keys are named by the new snapshot's random id.
 * Only a transient fault is retried (a connection refused, reset, cut or timed out, an HTTP 5xx,
 * S3's InternalError/ServiceUnavailable/SlowDown/RequestTimeout); any other error fails at once.
 */

/**
 * The limits: up to 8 attempts, waiting 0.25 s before the second and doubling to at most 8 s
 * (0.25 + 0.5 + 1 + 2 + 4 + 8 + 8 = 23.75 s in all), enough to ride out the chaos suite's 20 s
 * outages. A fault that lasts longer fails the job with the last error, as before.
 */
export const IN_JOB_RETRY = { attempts: 8, firstDelayMs: 250, maxDelayMs: 8000 };

export type RetryLimits = typeof IN_JOB_RETRY;

/** The wait before attempt `attempt + 1` (attempt counts from 1). */
export function retryDelayMs(attempt: number, limits: RetryLimits = IN_JOB_RETRY): number {
  return Math.min(limits.firstDelayMs * 2 ** (attempt - 1), limits.maxDelayMs);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const S3_TRANSIENT_CODES = new Set(['InternalError', 'ServiceUnavailable', 'SlowDown', 'RequestTimeout']);
const TRANSIENT_MESSAGE = /socket hang up|Retryable HTTP status: 5\d\d|answered 5\d\d|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/;

/** Whether an error (or one it was caused by) is a fault that may pass: see the list above. */
export function isTransient(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || S3_TRANSIENT_CODES.has(code))) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
  }
  return false;
}

/**
 * Runs an idempotent `call`, again after a transient fault, within `limits`; `onRetry` hears of
 * each retry (to log it). The last error is thrown as it was.
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  onRetry: (error: unknown, attempt: number, delayMs: number) => void = () => undefined,
  limits: RetryLimits = IN_JOB_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= limits.attempts || !isTransient(error)) throw error;
      const delayMs = retryDelayMs(attempt, limits);
      onRetry(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}

/** retryTransient for a job's call, each retry logged as a warning naming the job and what failed. */
export function retryInJob<T>(logger: { warn(message: string): void }, jobId: string, what: string, call: () => Promise<T>): Promise<T> {
  return retryTransient(call, (error, attempt, delayMs) => {
    logger.warn(`job ${jobId}: ${what} failed (attempt ${attempt}), again in ${delayMs} ms: ${(error as Error).message}`);
  });
}

/** How an idempotent call is run: in a job, again after a transient fault (`inJob`); elsewhere `ONCE`. */
export type Retry = <T>(what: string, call: () => Promise<T>) => Promise<T>;

/** Outside a job (a REST `ls` or `cat`): once, since a caller at a terminal is better told at once than kept waiting 24 s. */
export const ONCE: Retry = (_what, call) => call();

/** A job's Retry: retryInJob, logged under the job's id. */
export function inJob(logger: { warn(message: string): void }, jobId: string): Retry {
  return (what, call) => retryInJob(logger, jobId, what, call);
}
