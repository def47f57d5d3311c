import type { Platform } from '@arca/dev';
import { expect } from 'vitest';
import { arcaStatus } from './cli';
import { peakRss } from './real-sizes';

/** `arca check` over the whole repository passes, and ingest's peak memory stayed under `bound` bytes. */
export async function expectCleanCheckAndIngestPeak(platform: Platform, bound: number): Promise<void> {
  const check = await arcaStatus(platform.gatewayUrl, ['check']);
  expect(check.stdout).toMatch(/^no damage found/m);
  expect(check.code).toBe(0);
  const peak = peakRss(platform.pids().ingest);
  if (peak !== undefined) expect(peak, `ingest peaked at ${(peak / 1e6).toFixed(0)} MB`).toBeLessThan(bound);
}
