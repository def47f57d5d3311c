/**
 * The parts outside the services failing mid-job: S3 (through the HTTP fault proxy), Postgres
 * (through the TCP fault proxy: the machine's real server is shared, so it is never restarted
 * here; its connections are cut and refused instead), the disks at either end (the source
 * changing while a backup reads it, the target filling up during a restore) and the Kafka broker
 * (stopped and started again, with its log, and last, since it takes the platform's history with
 * it, without).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededBytes } from '../src/support/real-sizes';
import { expectBackupCompletes, expectCheckClean, Job, listSnapshots, restoreAndHash, startBackup, startRestore, waitRunning, waitTerminal } from './support/assertions';
import { useChaosPlatform } from './support/chaos-platform';
import { hashTree, makeDataset } from './support/dataset';
import { backupUnderFault, caseBytes, caseTimeout, orphanedBytesOfCase, outageMs, recordResult } from './support/fault-case';
import { ChaosRng } from './support/rng';

const file = useChaosPlatform();

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('S3 failing mid-backup', () => {
  it('unreachable for the outage: the job ends with a result or a reason, a retry completes', async () => {
    await backupUnderFault(file, { fault: 'S3 unreachable', inject: () => file.chaos.s3.during({ kind: 'refuse' }, outageMs()) });
  }, caseTimeout());

  it('answering 500 and 503 for a share of requests', async () => {
    await backupUnderFault(file, {
      fault: 'S3 500/503 for a share of requests',
      inject: async (_job, rng) => {
        file.chaos.s3.setMode({ kind: 'http-error', share: rng.between(0.1, 0.4) });
        await pause(outageMs());
        file.chaos.s3.setMode({ kind: 'pass' });
      },
    });
    expect(file.chaos.s3.stats.injectedErrors).toBeGreaterThan(0);
  }, caseTimeout());

  it('a PUT stored whose answer was lost', async () => {
    const before = file.chaos.s3.stats.lostAnswers;
    await backupUnderFault(file, {
      fault: 'S3 PUT stored, answer lost',
      inject: async () => {
        file.chaos.s3.setMode({ kind: 'lose-answer', share: 0.5 });
        // Until one answer is lost (or the outage is over).
        const until = Date.now() + outageMs();
        while (file.chaos.s3.stats.lostAnswers === before && Date.now() < until) await pause(20);
        file.chaos.s3.setMode({ kind: 'pass' });
      },
    });
  }, caseTimeout());

  // Restores and checks retry their reads as backups retry their writes (services/ingest/src/retrying-reads.ts).
  // At 30–50 % a read of the minio client alone (it retries a 5xx once) fails 9–25 % of the time, so
  // a restore without these retries fails; with them a read fails only after 16 answers in a row.
  it('answering 500 and 503 during a restore and a check: both complete, the restore byte for byte, the check clean', async () => {
    const chaos = file.chaos;
    const rng = ChaosRng.forCase('S3 500/503 mid-restore and mid-check');
    const dataset = await makeDataset(`${chaos.tempDir('source')}/data`, `${rng.dataSeed()}-reads`, caseBytes());
    const backup = await expectBackupCompletes(chaos, dataset.root);
    const before = chaos.s3.stats.injectedErrors;
    const struck = Date.now();
    chaos.s3.setMode({ kind: 'http-error', share: rng.between(0.3, 0.5) });
    try {
      const restored = await restoreAndHash(chaos, backup.snapshotId!);
      expect(restored.job.status, restored.job.error).toBe('completed');
      expect(restored.job.stats?.failedFiles ?? []).toEqual([]);
      expect(restored.hashes).toEqual(dataset.hashes);
      await expectCheckClean(chaos); // no pack it could not read for a moment is taken for damaged
      file.track({ backups: [backup.jobId], restores: [restored.job.jobId] });
    } finally {
      chaos.s3.setMode({ kind: 'pass' });
    }
    expect(chaos.s3.stats.injectedErrors).toBeGreaterThan(before);
    recordResult({
      fault: 'S3 500/503 mid-restore and mid-check', seed: rng.seed, status: 'completed', recoveryMs: Date.now() - struck,
      uploadedAfterFault: 0, uploadedBeforeFault: 0, orphanedBytes: await orphanedBytesOfCase(file), snapshotsVerified: 1, datasetBytes: dataset.bytes,
    });
  }, caseTimeout());

  it('slow (every request delayed)', async () => {
    await backupUnderFault(file, {
      fault: 'S3 slow',
      inject: async (_job, rng) => file.chaos.s3.during({ kind: 'delay', ms: Math.round(rng.between(200, 1000)) }, outageMs()),
    });
  }, caseTimeout());
});

describe('Postgres failing mid-backup', () => {
  it('every connection cut, and new ones refused for the outage', async () => {
    await backupUnderFault(file, { fault: 'Postgres connections cut', inject: () => file.chaos.postgres.during({ kind: 'refuse' }, outageMs()) });
  }, caseTimeout());
});

describe('the disks at either end', () => {
  it('source files grown, truncated, overwritten, deleted and replaced while read: the snapshot holds versions that were on disk, and names each file that changed while read', async () => {
    const chaos = file.chaos;
    const rng = ChaosRng.forCase('source changing while read');
    const root = path.join(chaos.tempDir('source'), 'data');
    const dataset = await makeDataset(root, `${rng.dataSeed()}-changing`, caseBytes());
    const bytes = new SeededBytes(`${rng.dataSeed()}-edits`);
    const small = readdirSync(path.join(root, 'small'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
    const victims = { deleted: small.filter((_, i) => i % 37 === 1), replaced: small.filter((_, i) => i % 41 === 2 && i % 37 !== 1) };

    const jobId = await startBackup(chaos, root, Math.round(dataset.bytes / 5));
    await waitRunning(chaos, jobId, (job) => (job.progress?.bytesRead ?? 0) > 0);
    // Each edit at a seeded moment while the backup reads: some files are read before, some after, some during.
    const edits: Array<() => void> = [
      () => appendFileSync(path.join(root, 'large-a.bin'), bytes.next(300_000)), // grown
      () => truncateSync(path.join(root, 'large-b.bin'), Math.floor(statSync(path.join(root, 'large-b.bin')).size / 2)), // truncated
      () => { // overwritten in place, same size (a database file being written)
        const fd = openSync(path.join(root, 'large-a.bin'), 'r+');
        writeSync(fd, bytes.next(200_000), 0, 200_000, Math.floor(dataset.bytes / 10));
        closeSync(fd);
      },
      () => victims.deleted.forEach((f) => rmSync(path.join(root, f))),
      () => victims.replaced.forEach((f) => { // replaced by a new file of the same size (an editor's save)
        const draft = path.join(root, '..', 'draft'); // outside the tree, on the same disk
        writeFileSync(draft, bytes.next(statSync(path.join(root, f)).size));
        renameSync(draft, path.join(root, f));
      }),
    ];
    // Every version each file had on disk (a file read between two edits holds the one between).
    const versions = new Map(Object.entries(dataset.hashes).map(([file, hash]) => [file, new Set([hash])]));
    for (const edit of edits) {
      await new Promise((r) => setTimeout(r, rng.between(100, 900)));
      edit();
      for (const [file, hash] of Object.entries(await hashTree(root))) versions.get(file)?.add(hash);
    }
    const after = await hashTree(root);
    const job = await waitTerminal(chaos, jobId, 120_000);
    expect(job.status, job.error).toBe('completed');
    const named = new Set(((job.stats?.skipped ?? []) as Array<{ path: string; reason: string }>).filter((s) => /changed while being read/.test(s.reason)).map((s) => s.path.replace(/^\//, '')));

    // Each file the snapshot holds is a version it had on disk, or named as changed while read.
    const restored = await restoreAndHash(chaos, job.snapshotId!);
    expect(restored.job.status, restored.job.error).toBe('completed');
    const torn: string[] = [];
    for (const [file, hash] of Object.entries(restored.hashes)) {
      if (!versions.get(file)?.has(hash) && !named.has(file)) torn.push(file);
    }
    expect(torn, `files holding neither version, not named as changed while read (seed ${rng.seed})`).toEqual([]);
    // Deleted files are absent or their old version; nothing is there that was never on disk.
    for (const file of Object.keys(restored.hashes)) expect(file in dataset.hashes || file in after, file).toBe(true);

    // The next backup holds the files as they are now.
    const next = await expectBackupCompletes(chaos, root);
    const now = await restoreAndHash(chaos, next.snapshotId!);
    expect(now.hashes).toEqual(after);
    file.track({ backups: [jobId, next.jobId] });
    recordResult({
      fault: 'source changing while read', seed: rng.seed, status: job.status, reason: `${named.size} file(s) named as changed while read`, recoveryMs: 0,
      uploadedAfterFault: 0, uploadedBeforeFault: 0, orphanedBytes: await orphanedBytesOfCase(file), snapshotsVerified: 2, datasetBytes: dataset.bytes,
    });
  }, caseTimeout());

  it.runIf(canMount())('a full target disk during a restore: an error naming the file, and nothing reported restored that is not', async () => {
    await fullTargetDisk();
  }, caseTimeout());

  // Regression (fixed): a large file reported restored with other bytes; found at 20 MB with this seed.
  it.runIf(canMount())('a full target disk, seed 495138406: no file reported restored with other bytes (a short write on the filling disk)', async () => {
    await fullTargetDisk({ seed: 495138406, bytes: 20_000_000 });
  }, caseTimeout());
});

describe('the Kafka broker stopped mid-backup', () => {
  it('and started again with its log kept', async () => {
    await backupUnderFault(file, {
      fault: 'Kafka broker restarted (log kept)',
      inject: async () => {
        await file.chaos.stopBroker();
        await pause(outageMs());
        await file.chaos.startBroker();
      },
    });
  }, caseTimeout());

  it('and started again with its data folder lost', async () => {
    // The earlier cases' events go with the log: their shared assertions run now.
    await file.settle();
    await backupUnderFault(file, {
      fault: 'Kafka broker restarted (data lost)',
      inject: async () => {
        await file.chaos.stopBroker();
        await pause(outageMs());
        await file.chaos.startBroker({ loseData: true });
      },
    });
  }, caseTimeout());
});

/** Whether this process may mount a tmpfs (root on Linux): the full-disk case needs a small disk of its own. */
function canMount(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

/**
 * Restores a fresh snapshot onto a tmpfs of a seeded size between a fifth and three fifths of the
 * dataset: the restore fails naming a file and ENOSPC, or completes with each file that did not
 * fit reported failed with ENOSPC and every other file there byte for byte; with room again the
 * snapshot restores whole.
 */
async function fullTargetDisk(regression: { seed?: number; bytes?: number } = {}): Promise<void> {
  const chaos = file.chaos;
  const rng = ChaosRng.forCase('full target disk during restore', regression.seed);
  const dataset = await makeDataset(path.join(chaos.tempDir('source'), 'data'), `${rng.dataSeed()}-full`, regression.bytes ?? caseBytes());
  const backup = await expectBackupCompletes(chaos, dataset.root);
  const disk = chaos.tempDir('small-disk');
  const sizeKiB = Math.round(rng.between(0.2, 0.6) * dataset.bytes / 1024);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', disk]);
  try {
    const target = path.join(disk, 'out');
    mkdirSync(target);
    const restoreJob = await startRestore(chaos, backup.snapshotId!, target);
    const job: Job = await waitTerminal(chaos, restoreJob, 120_000);
    const onDisk = await hashTree(target).catch(() => ({} as Record<string, string>));
    const failed = new Set((job.stats?.failedFiles ?? []).map((f) => f.path.replace(/^\//, '')));
    if (job.status === 'failed') {
      // The whole restore failed: the reason names the file it could not write, and why.
      expect(job.error).toMatch(/\/\S+/);
      expect(job.error).toMatch(/ENOSPC|no space/i);
    } else {
      expect(job.status).toBe('completed');
      expect(failed.size, 'a restore onto a full disk must report failures').toBeGreaterThan(0);
      for (const f of job.stats!.failedFiles!) expect(f.reason).toMatch(/ENOSPC|no space/i);
      // Every file not reported failed is there, byte for byte.
      for (const name of Object.keys(dataset.hashes)) if (!failed.has(name)) expect(onDisk[name], name).toBe(dataset.hashes[name]);
    }
    file.track({ backups: [backup.jobId], restores: [restoreJob] });
    recordResult({
      fault: 'full target disk during restore', seed: rng.seed, status: job.status, reason: job.error ?? `${failed.size} file(s) reported failed`, recoveryMs: 0,
      uploadedAfterFault: 0, uploadedBeforeFault: 0, orphanedBytes: await orphanedBytesOfCase(file), snapshotsVerified: 1, datasetBytes: dataset.bytes,
    });
  } finally {
    execFileSync('umount', ['-l', disk]);
  }
  // With room again, the same snapshot restores whole.
  const again = await restoreAndHash(chaos, backup.snapshotId!);
  expect(again.hashes).toEqual(dataset.hashes);
  expect((await listSnapshots(chaos)).some((s) => s.id === backup.snapshotId)).toBe(true);
}
