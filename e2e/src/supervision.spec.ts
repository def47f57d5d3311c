import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { fileHash, makeBigFile, makeSmallFiles } from './support/real-sizes';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

const stack = usePlatform();

interface Job { status: string; error?: string; snapshotId?: string; progress?: { bytesRead?: number } }

describe('a service that dies mid-job', () => {
  it('is restarted by the launcher, and the backup it was running is taken over and completes, once', async () => {
    const source = stack.tempDir('killed');
    await makeBigFile(path.join(source, 'big.bin'), 'killed-1', 400 * 1024 * 1024);
    makeSmallFiles(path.join(source, 'small'), 'killed-1', 2000);
    writeFileSync(path.join(source, 'note.txt'), 'written before the kill\n');
    const url = stack.platform.gatewayUrl;

    const { body: started } = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { source: { kind: 'directory', path: source } });
    await until(async () => {
      const job = (await api<Job>(stack.platform, 'GET', `/jobs/${started.jobId}`)).body;
      return job.status === 'running' && (job.progress?.bytesRead ?? 0) > 0;
    }, 'the backup to be reading', 60_000, 50);
    const killed = stack.platform.pids().ingest;
    process.kill(killed, 'SIGKILL');

    // The launcher restarts ingest; the new worker finds its predecessor dead and takes the job over.
    await until(() => stack.platform.pids().ingest !== killed && stack.platform.logs.some((l) => /ingest exited \(SIGKILL\); restarting it/.test(l)), 'ingest to be restarted', 30_000);
    const job = await until(async () => {
      const j = (await api<Job>(stack.platform, 'GET', `/jobs/${started.jobId}`)).body;
      return j.status !== 'running' && j.status !== 'requested' && j;
    }, 'the job to end', 180_000, 500);
    expect(job.status, job.error).toBe('completed');

    // The snapshot it reported restores byte for byte, and the next backup completes.
    const snapshots = (await api<Array<{ id: string; jobId: string }>>(stack.platform, 'GET', '/snapshots')).body.filter((s) => s.jobId === started.jobId);
    expect(snapshots).toHaveLength(1); // one snapshot for the job, though two workers ran it
    const target = path.join(stack.tempDir('killed-restore'), 'out');
    expect((await arcaStatus(url, ['restore', snapshots[0].id, '--target', target])).code).toBe(0);
    expect(await fileHash(path.join(target, 'big.bin'))).toBe(await fileHash(path.join(source, 'big.bin')));
    expect(await fileHash(path.join(target, 'small/dir-001/file-001999.bin'))).toBe(await fileHash(path.join(source, 'small/dir-001/file-001999.bin')));
    expect((await arca(url, ['backup', source])).stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
  }, 400_000);
});
