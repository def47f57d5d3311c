import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * The scheduler's clock runs RATE times as fast as real time (SCHEDULER_CLOCK), so a backup window
 * of a few minutes opens and closes in seconds; every other service keeps real time.
 */
const RATE = 20;
const stack = usePlatform(() => ({ SCHEDULER_CLOCK: `${new Date().toISOString()}@${RATE}x`, SCHEDULER_TICK_MS: '200' }));

interface Job {
  jobId: string;
  kind: string;
  status: string;
  policyId: string | null;
  error: string | null;
  startedAt: string | null;
  attempts?: Array<{ id: string; requestedAt: string }>;
}

const hhmm = (t: Date) => t.toISOString().slice(11, 16);

/** The scheduler's time now, read off the requestedAt of a job it has just accepted (its clock is not ours). */
async function schedulerNow(source: string): Promise<(at?: number) => Date> {
  const asked = Date.now();
  const { body } = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { source: { kind: 'directory', path: source } });
  const job = await until(async () => (await api<Job>(stack.platform, 'GET', `/jobs/${body.jobId}`)).body.attempts?.[0], 'the scheduler to answer for its job');
  const schedulerAt = new Date(job.requestedAt).getTime();
  return (at = Date.now()) => new Date(schedulerAt + (at - asked) * RATE);
}

describe('backup windows through the running platform', () => {
  it('cancels a backup still running when its window closes (windowEnd "cancel"): no snapshot, backup.cancelled, the job shown cancelled', async () => {
    const tiny = stack.tempDir('tiny');
    writeFileSync(path.join(tiny, 'a.txt'), 'a');
    const fakeNow = await schedulerNow(tiny);

    // Large enough, at 64 KiB/s, to run for minutes of real time: far past the window's end.
    const source = stack.tempDir('slow');
    mkdirSync(path.join(source, 'data'));
    writeFileSync(path.join(source, 'data', 'big.bin'), randomBytes(8 * 1024 * 1024));
    // A window from the scheduler's current minute to four minutes on: at least three scheduler minutes (9 s) of it left.
    const opening = new Date(Math.floor(fakeNow().getTime() / 60_000) * 60_000);
    const created = await api<{ id: string }>(stack.platform, 'POST', '/policies', {
      name: 'window-cancel', source: { kind: 'directory', path: source }, schedule: { cron: '* * * * *', timezone: 'UTC' },
      backupWindow: { start: hhmm(opening), end: hhmm(new Date(opening.getTime() + 4 * 60_000)) }, windowEnd: 'cancel',
      rpoMinutes: 1440, retention: { keepLast: 3 }, bandwidthLimitBytesPerSec: 64 * 1024,
    });
    expect(created.status).toBe(201);
    const policyId = created.body.id;
    const policyJobs = async () => (await api<Job[]>(stack.platform, 'GET', '/jobs?kind=backup&limit=200')).body.filter((j) => j.policyId === policyId);

    const running = await until(async () => (await policyJobs()).find((j) => j.status === 'running'), 'a scheduled backup of the policy to run', 60_000);
    const cancelled = await until(async () => {
      const job = (await api<Job>(stack.platform, 'GET', `/jobs/${running.jobId}`)).body;
      return job.status === 'cancelled' && job;
    }, 'the running backup to be cancelled at the window end', 60_000);
    expect(cancelled.error).toMatch(/the backup window closed at .* windowEnd is "cancel"/);
    expect(cancelled.startedAt).not.toBeNull();
    expect(cancelled.attempts).toHaveLength(1);

    // Every job of the policy ends cancelled (one queued behind the running one never starts), and no more come after the window.
    await until(async () => (await policyJobs()).every((j) => j.status === 'cancelled'), 'every job of the policy to end cancelled', 30_000);
    const after = (await policyJobs()).length;
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a minute of the scheduler's time: no due time outside the window
    expect((await policyJobs()).length).toBe(after);
    const snapshots = await api<unknown[]>(stack.platform, 'GET', `/snapshots?policyId=${policyId}`);
    expect(snapshots.body).toEqual([]);

    const report = await api<{ jobs: { cancelled: number } }>(stack.platform, 'GET', '/reports/summary');
    expect(report.body.jobs.cancelled).toBe(after);
  }, 180_000);
});
