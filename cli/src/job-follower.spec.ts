import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, GatewayClient } from './gateway-client';
import { followJob, JobFailedError } from './job-follower';
import type { ProgressView } from './progress-view';
import { startFakeGateway } from './testing/fake-gateway';
import type { Job } from './types';

/**
 * A fake gateway whose jobs advance one step per poll:
 *   "good":    requested → running (progress grows) → completed
 *   "bad":     requested → running → failed with a reason
 *   "late":    404 twice (not yet in the read model), then like "good"
 *   "flaky":   a 503 between running and completed (a service restarting)
 *   "stuck":   running forever
 *   "missing": 404 forever
 */
const polls = new Map<string, number>();
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;

function jobAt(id: string, n: number): [number, unknown] {
  if (id === 'missing' || (id === 'late' && n <= 2)) return [404, { statusCode: 404, error: 'Not Found', message: `job ${id} not found` }];
  if (id === 'flaky' && n === 3) return [503, { statusCode: 503, message: 'reporting is unavailable' }];
  if (id === 'forbidden') return [403, { statusCode: 403, message: 'not allowed' }];
  const step = id === 'late' ? n - 2 : n;
  const status = step < 2 ? 'requested' : step < 4 || id === 'stuck' ? 'running' : id === 'bad' ? 'failed' : 'completed';
  return [200, {
    jobId: id, kind: 'backup', status,
    progress: status === 'running' ? { files: step, bytesRead: step * 1000, totalBytes: 4000 } : null,
    snapshotId: status === 'completed' ? 'f'.repeat(64) : null,
    stats: status === 'completed' ? { files: 4, bytesRead: 4000 } : null,
    error: status === 'failed' ? 'source /nope does not exist' : null,
  }];
}

beforeAll(async () => {
  gateway = await startFakeGateway((req) => {
    const m = /^\/jobs\/([\w-]+)$/.exec(req.path);
    if (!m) return undefined;
    const n = (polls.get(m[1]) ?? 0) + 1;
    polls.set(m[1], n);
    return jobAt(m[1], n);
  });
});

afterAll(() => gateway.close());

/** A progress view that remembers what it was shown. */
function recorder(): ProgressView & { seen: Job['status'][]; bytes: number[]; stopped: boolean } {
  const r = { seen: [] as Job['status'][], bytes: [] as number[], stopped: false, update(job: Job) { r.seen.push(job.status); r.bytes.push(job.progress?.bytesRead ?? 0); }, stop() { r.stopped = true; } };
  return r;
}

describe('followJob', () => {
  it('polls a job from requested through running to completed, showing each state', async () => {
    const view = recorder();
    const job = await followJob(new GatewayClient(gateway.url), 'good', { view, intervalMs: 5 });
    expect(job.status).toBe('completed');
    expect(job.snapshotId).toBe('f'.repeat(64));
    expect(view.seen).toEqual(['requested', 'running', 'running', 'completed']);
    expect(view.bytes).toEqual([0, 2000, 3000, 0]);
    expect(view.stopped).toBe(true);
  });

  it("rejects a failed job with the job's own reason, and still stops the view", async () => {
    const view = recorder();
    const failure = await followJob(new GatewayClient(gateway.url), 'bad', { view, intervalMs: 5 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(JobFailedError);
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as Error).message).toBe('backup job bad failed: source /nope does not exist');
    expect((failure as JobFailedError).job.status).toBe('failed');
    expect(view.stopped).toBe(true);
  });

  it('waits for a job that the read model does not know yet (404 right after 202)', async () => {
    const job = await followJob(new GatewayClient(gateway.url), 'late', { intervalMs: 5 });
    expect(job.status).toBe('completed');
    expect(polls.get('late')).toBe(6);
  });

  it('rides out a gateway answering 503 for a moment', async () => {
    const job = await followJob(new GatewayClient(gateway.url), 'flaky', { intervalMs: 5 });
    expect(job.status).toBe('completed');
  });

  it('gives up on a transient error that lasts past the grace period', async () => {
    await expect(followJob(new GatewayClient(gateway.url), 'missing', { intervalMs: 5, transientGraceMs: 50 })).rejects.toThrow('job missing not found');
  });

  it('fails at once on an error that waiting will not fix', async () => {
    await expect(followJob(new GatewayClient(gateway.url), 'forbidden', { intervalMs: 5 })).rejects.toThrow('not allowed');
    expect(polls.get('forbidden')).toBe(1);
  });

  it('stops after its time limit, saying the job keeps running', async () => {
    await expect(followJob(new GatewayClient(gateway.url), 'stuck', { intervalMs: 5, timeoutMs: 60 })).rejects.toThrow(/did not finish within .*keeps running/);
  });

  it('explains an unreachable gateway in one line', async () => {
    const closed = await startFakeGateway(() => undefined);
    await closed.close(); // a port that was just free: nothing listens there now
    const port = new URL(closed.url).port;
    await expect(followJob(new GatewayClient(closed.url), 'x', { transientGraceMs: 0 }))
      .rejects.toThrow(new RegExp(`^cannot reach the gateway at http://127\\.0\\.0\\.1:${port} \\(connection refused\\) — is "npm start" running\\?`));
  });
});
