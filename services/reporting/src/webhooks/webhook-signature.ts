import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a receiver should let a delivery's timestamp be from its clock before refusing it (replays). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The signature of a delivery: HMAC-SHA-256, keyed with the subscription's secret, over
 * `<timestamp>.<body>` (the timestamp in Unix seconds, the body byte for byte as sent), in hex.
 * Sent as `Arca-Signature: t=<timestamp>,v1=<hex>`.
 */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (and the tests do): recompute the HMAC over the received bytes, compare
 * in constant time, and refuse a timestamp too far from now.
 */
export function verifySignature(secret: string, header: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(signatureHeader(secret, timestamp, body).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
}

/** The wait before attempt `attempt + 1`: exponential from `baseMs`, capped at an hour. */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** (attempt - 1), 3_600_000);
}
