import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, GatewayClient } from './gateway-client';
import { followJob } from './job-follower';

let server: http.Server;
let base: string;
const polls = new Map<string, number>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const id = req.url!.split('/').pop()!;
    const n = (polls.get(id) ?? 0) + 1;
    polls.set(id, n);
    const status = n < 2 ? 'requested' : n < 4 ? 'running' : id === 'bad' ? 'failed' : 'completed';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ jobId: id, kind: 'backup', status, snapshotId: status === 'completed' ? 'f'.repeat(64) : null, progress: { bytesRead: n * 10, totalBytes: 40, files: n }, error: status === 'failed' ? 'source /nope does not exist' : null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('followJob', () => {
  it('polls a job from requested through running to completed', async () => {
    const job = await followJob(new GatewayClient(base), 'good', { showProgress: false, intervalMs: 10 });
    expect(job.snapshotId).toBe('f'.repeat(64));
    expect(polls.get('good')).toBe(4);
  });

  it("turns a failed job into an error carrying the job's reason", async () => {
    await expect(followJob(new GatewayClient(base), 'bad', { showProgress: false, intervalMs: 10 })).rejects.toThrow(CliError);
    polls.delete('bad');
    await expect(followJob(new GatewayClient(base), 'bad', { showProgress: false, intervalMs: 10 })).rejects.toThrow(/source \/nope does not exist/);
  });

  it('explains an unreachable gateway', async () => {
    await expect(new GatewayClient('http://127.0.0.1:1').get('/jobs/x')).rejects.toThrow(/cannot reach the gateway at http:\/\/127\.0\.0\.1:1 .*npm start/);
  });
});
