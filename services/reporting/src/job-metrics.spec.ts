import { describe, expect, it } from 'vitest';
import { jobMeasurement, policyRpoGauge } from './job-metrics';
import type { JobView } from './job-projection';

const at = (s: number) => new Date(Date.UTC(2026, 11, 3, 12, 0, s));
const job = (over: Partial<JobView>): JobView => ({
  jobId: 'j', tenant: 'default', kind: 'backup', status: 'running', policyId: null, source: null, snapshotId: null, progress: null, stats: null, error: null,
  attempt: 1, requestedAt: at(0), startedAt: at(1), finishedAt: null, lastEventAt: at(1), ...over,
});

describe('jobMeasurement', () => {
  it('measures a job once, when it reaches its outcome, with a completed backup\'s bytes', () => {
    const done = job({ status: 'completed', finishedAt: at(30), stats: { bytesRead: 1000, bytesNew: 400, bytesStored: 200 } });
    expect(jobMeasurement(job({}), done)).toEqual({ kind: 'backup', outcome: 'completed', tenant: 'default', durationSeconds: 30, bytes: { read: 1000, new: 400, stored: 200 } });
    expect(jobMeasurement(undefined, done)?.outcome).toBe('completed'); // its outcome is the first event seen
    expect(jobMeasurement(done, done)).toBeUndefined(); // a redelivery or a late event
    expect(jobMeasurement(undefined, job({ status: 'running' }))).toBeUndefined();
  });

  it('measures failures and other kinds without bytes', () => {
    expect(jobMeasurement(job({}), job({ status: 'failed', finishedAt: at(5), error: 'gone' }))).toEqual({ kind: 'backup', outcome: 'failed', tenant: 'default', durationSeconds: 5 });
    expect(jobMeasurement(job({ kind: 'prune' }), job({ kind: 'prune', status: 'completed', finishedAt: at(2), stats: { bytesFreed: 9 } }))).toEqual({ kind: 'prune', outcome: 'completed', tenant: 'default', durationSeconds: 2 });
  });
});

describe('policyRpoGauge', () => {
  const policy = { policyId: 'p', name: 'nightly', tenant: 'acme', rpoMinutes: 60, knownSince: at(0), rpoBreachedAt: null };
  it('is compliant within the RPO of the last success, and breached past it or while a breach stands', () => {
    const now = new Date(at(0).getTime() + 30 * 60_000);
    expect(policyRpoGauge({ ...policy, lastSuccessAt: at(0) }, now)).toEqual({ labels: { policy_id: 'p', policy: 'nightly', tenant: 'acme' }, breached: 0, rpoSeconds: 3600, lastSuccessAgeSeconds: 1800 });
    expect(policyRpoGauge({ ...policy, lastSuccessAt: at(0) }, new Date(at(0).getTime() + 61 * 60_000)).breached).toBe(1);
    expect(policyRpoGauge({ ...policy, lastSuccessAt: at(0), rpoBreachedAt: at(1) }, now).breached).toBe(1);
    expect(policyRpoGauge({ ...policy, lastSuccessAt: null }, now)).toMatchObject({ breached: 0, lastSuccessAgeSeconds: 1800 });
  });
});
