/**
 * kill -9 of each service in the middle of a job, one at a time, under the launcher that restarts
 * it (as `npm start` does). After each: the five assertions (support/assertions.ts).
 */
import { describe, expect, it } from 'vitest';
import { expectBackupCompletes, expectRegisteredPacksReused, expectRestoresByteForByte, indexedPacks, startRestore, waitRunning, waitTerminal } from './support/assertions';
import { useChaosPlatform } from './support/chaos-platform';
import { hashTree, makeDataset } from './support/dataset';
import { backupUnderFault, caseBytes, caseTimeout, orphanedBytesOfCase, recordResult } from './support/fault-case';
import { ChaosRng } from './support/rng';

const file = useChaosPlatform();

describe('kill -9 of a service mid-job', () => {
  it('ingest mid-backup: the restarted worker takes the job over through the lease and completes it, once, reusing the packs registered before', async () => {
    await killIngestMidBackup();
  }, caseTimeout());

  // Regression: the taken-over job re-uploaded everything (found at 20 MB with this seed): of what
  // it had sent, no pack had been registered yet when it was killed; the ones that were are reused.
  it('ingest mid-backup, seed 1223402943: the taken-over job stores no chunk the index already held', async () => {
    await killIngestMidBackup({ seed: 1223402943, bytes: 20_000_000 });
  }, caseTimeout());

  it('ingest mid-restore: the restore is taken over and what it reports restored is whole', async () => {
    const chaos = file.chaos;
    const rng = ChaosRng.forCase('kill -9 ingest mid-restore');
    // A snapshot to restore, made without a fault.
    const dataset = await makeDataset(`${chaos.tempDir('source')}/data`, `${rng.dataSeed()}-restore`, caseBytes());
    const backup = await expectBackupCompletes(chaos, dataset.root);
    const snapshotId = backup.snapshotId!;

    // Slow S3 down so the restore lasts long enough to be hit, and kill ingest at a seeded moment.
    chaos.s3.setMode({ kind: 'delay', ms: 400 });
    const target = `${chaos.tempDir('killed-restore')}/out`;
    const jobId = await startRestore(chaos, snapshotId, target);
    await waitRunning(chaos, jobId);
    await new Promise((r) => setTimeout(r, rng.between(200, 1500)));
    const struck = Date.now();
    const { restartedInMs } = await chaos.kill('ingest');
    chaos.s3.setMode({ kind: 'pass' });
    const job = await waitTerminal(chaos, jobId, 180_000);
    if (job.status === 'completed') {
      expect(job.stats?.failedFiles ?? []).toEqual([]);
      // Reported restored, so it must be there, byte for byte.
      expect(await hashTree(target)).toEqual(dataset.hashes);
    } else {
      await expectRestoresByteForByte(chaos, snapshotId, dataset.hashes);
    }
    const recoveryMs = Date.now() - struck;
    file.track({ backups: [backup.jobId], restores: [jobId] });
    recordResult({
      fault: 'kill -9 ingest mid-restore', seed: rng.seed, status: job.status, reason: job.error, recoveryMs,
      uploadedAfterFault: 0, uploadedBeforeFault: 0, orphanedBytes: await orphanedBytesOfCase(file), snapshotsVerified: 1, datasetBytes: dataset.bytes,
    });
    expect(restartedInMs).toBeLessThan(60_000);
  }, caseTimeout());

  for (const service of ['dedupe-index', 'storage', 'replication', 'scheduler', 'reporting']) {
    it(`${service} mid-backup: the job ends with a result or a reason, a retry completes, and nothing is lost`, async () => {
      await backupUnderFault(file, {
        fault: `kill -9 ${service} mid-backup`,
        inject: async () => void (await file.chaos.kill(service)),
      });
    }, caseTimeout());
  }
});

/**
 * kill -9 of ingest mid-backup: a worker on the same host takes over at once, so the job
 * completes, not fails; and it stores none of the chunks the killed run had registered (the
 * index's packs are read once the new process is spawned, before it takes the job over).
 */
async function killIngestMidBackup(regression: { seed?: number; bytes?: number } = {}): Promise<void> {
  const fault = 'kill -9 ingest mid-backup';
  let registered = new Map<string, unknown>();
  const result = await backupUnderFault(file, {
    fault, ...regression,
    inject: async () => void (await file.chaos.kill('ingest', async () => { registered = await indexedPacks(file.chaos); })),
  });
  expect(result.status).toBe('completed');
  const reuse = await expectRegisteredPacksReused(file.chaos, registered);
  process.stdout.write(`[chaos] ${fault}: ${reuse.storedAfter} pack(s) stored after the kill, none holding a chunk of the ${reuse.registeredBefore} registered before\n`);
}
