import { describe, expect, it } from 'vitest';
import { reuploaded, table } from './run';

const result = (over: Partial<Parameters<typeof reuploaded>[0]>) => ({
  fault: 'kill -9 ingest mid-backup', seed: 1, status: 'completed', recoveryMs: 10_000, uploadedAfterFault: 9e6, uploadedBeforeFault: 11e6,
  orphanedBytes: 0, snapshotsVerified: 1, datasetBytes: 20e6, ...over,
});

describe('npm run chaos: the table', () => {
  it('counts as re-uploaded only what went up after the fault beyond what was still to upload', () => {
    expect(reuploaded(result({}))).toBe(0); // resumed: 11 MB before, 9 MB after, of 20 MB
    expect(reuploaded(result({ uploadedAfterFault: 20e6 }))).toBe(11e6); // started again
  });

  it('has a row per fault with rounds, outcomes with reasons, snapshots and recovery percentiles', () => {
    const rows = table([
      result({ recoveryMs: 8_000 }), result({ recoveryMs: 12_000 }),
      result({ fault: 'S3 unreachable', status: 'failed', reason: 'put "data/ab/' + 'a'.repeat(64) + '" failed', recoveryMs: 5_000, uploadedAfterFault: 20e6 }),
    ]).split('\n');
    expect(rows[0]).toBe('| fault | rounds | jobs ok | jobs failed (reason) | snapshots verified | re-uploaded (mean) | recovery p50 | recovery p95 |');
    expect(rows[2]).toBe('| kill -9 ingest mid-backup | 2 | 2 | 0 | 2 | 0.0 MB | 8.0 s | 12.0 s |');
    expect(rows[3]).toBe('| S3 unreachable | 1 | 0 | 1 (put "data/ab/…" failed) | 1 | 11.0 MB | 5.0 s | 5.0 s |');
  });
});
