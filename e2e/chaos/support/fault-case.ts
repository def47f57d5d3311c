/**
 * One fault case, the same shape for every fault: back up a fresh seeded dataset, strike at a
 * moment the seed chooses, let the platform recover, then run the five assertions. The outcome is
 * printed and, with CHAOS_RESULTS set (the `npm run chaos` runner), appended there as a JSON line.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { ChaosFile } from './chaos-platform';
import { expectBackupCompletes, expectRestoresByteForByte, Job, startBackup, waitRunning, waitTerminal } from './assertions';
import { until } from '../../src/support/test-platform';
import { Dataset, makeDataset } from './dataset';
import { ChaosRng } from './rng';

/** npm test's dataset per case; the times stated below are for it. */
const TEST_BYTES = 12_000_000;

/** Dataset size per case: CHAOS_SIZE bytes (the runner's --size), else 12 MB. */
export function caseBytes(): number {
  return Number(process.env.CHAOS_SIZE ?? TEST_BYTES);
}

/** Scales a time stated for npm test's 12 MB to the dataset size (the long run's 500 MB gets 40 times as long). */
export function scaled(ms: number): number {
  return Math.round(ms * Math.max(1, caseBytes() / TEST_BYTES));
}

/** A case's vitest timeout. */
export function caseTimeout(): number {
  return scaled(400_000);
}

/** How long an outage lasts: CHAOS_OUTAGE_MS (the runner: the 20 s), else 5 s in `npm test`. */
export function outageMs(): number {
  return Number(process.env.CHAOS_OUTAGE_MS ?? 5_000);
}

export interface CaseResult {
  fault: string;
  seed: number;
  /** How the job under fault ended. */
  status: string;
  reason?: string;
  /** From the fault until the job under fault ended. */
  recoveryMs: number;
  /** Bytes of the PUTs the primary store answered as stored from the fault until the job's (or its retry's) end. */
  uploadedAfterFault: number;
  /** Bytes of the PUTs it had answered as stored before the fault (not those still on their way). */
  uploadedBeforeFault: number;
  /**
   * Packs stored but referenced by no snapshot after recovery (the cost of the fault in space):
   * measured by a check after each case in the long run (CHAOS_RESULTS set); npm test checks once
   * per file, so there it is not measured.
   */
  orphanedBytes?: number;
  snapshotsVerified: number;
  datasetBytes: number;
}

export function recordResult(result: CaseResult): void {
  process.stdout.write(`[chaos] ${JSON.stringify(result)}\n`);
  if (process.env.CHAOS_RESULTS) appendFileSync(process.env.CHAOS_RESULTS, JSON.stringify(result) + '\n');
}

export interface BackupFaultOptions {
  fault: string;
  /** Strikes; resolves when the fault is over (the platform may still be recovering). */
  inject: (job: Job, rng: ChaosRng) => Promise<void>;
  /** The share of the dataset read before the fault strikes is drawn from this range. */
  strikeBetween?: [number, number];
  /** Bandwidth limit of the backup under fault, so it lasts long enough to be hit (default: about 4 s for the dataset). */
  bandwidth?: number;
  /** Assertion 1's stated time, from the fault (default 180 s per 12 MB of dataset). */
  withinMs?: number;
  /** A fixed seed (a regression case); else CHAOS_SEED, else a fresh one. */
  seed?: number;
  /** The dataset's size (a regression case keeps the size its seed was found at); else caseBytes(). */
  bytes?: number;
  /** Makes the dataset (default: makeDataset). */
  dataset?: (root: string) => Promise<Dataset>;
}

/** Unreferenced bytes the previous case's check saw, per file (its cases share one platform). */
const orphansSeen = new WeakMap<ChaosFile, number>();

/**
 * The space a case's fault left unreferenced, in the long run: there each case settles its file
 * (one `arca check` per case); npm test settles each file once, after its last case.
 */
export async function orphanedBytesOfCase(file: ChaosFile): Promise<number | undefined> {
  if (!process.env.CHAOS_RESULTS) return undefined;
  const check = await file.settle();
  const orphaned = check.unreferencedBytes - (orphansSeen.get(file) ?? 0);
  orphansSeen.set(file, check.unreferencedBytes);
  return orphaned;
}

/**
 * Runs one backup under a fault, then assertions 1–3 for it; its jobs are tracked for the ones
 * its file shares (arca check, the index against the store, the Kafka story: ChaosFile.settle).
 */
export async function backupUnderFault(file: ChaosFile, options: BackupFaultOptions): Promise<CaseResult> {
  const chaos = file.chaos;
  const rng = ChaosRng.forCase(options.fault, options.seed);
  chaos.s3.random = rng.fork('s3');
  const root = path.join(chaos.tempDir('source'), 'data');
  const dataset = await (options.dataset ?? ((r) => makeDataset(r, `${rng.dataSeed()}-${options.fault}`, options.bytes ?? caseBytes())))(root);
  const [from, to] = options.strikeBetween ?? [0.15, 0.6];
  const strikeAt = rng.between(from, to);
  const stored = () => chaos.s3.stats.storedPutBytes;
  const storedAtStart = stored();
  const jobId = await startBackup(chaos, root, options.bandwidth ?? Math.max(1024, Math.round(dataset.bytes / 4)));
  // The moment: once the seeded share of the dataset has been stored (reading runs ahead of
  // uploads, and bytes sent run ahead of the store's answers: either would strike before the packs
  // they count are stored). The proxy counts in this process, so that is watched every 10 ms
  // without asking the platform, which under load answers late.
  await waitRunning(chaos, jobId, () => true, 120_000);
  await until(() => stored() - storedAtStart >= strikeAt * dataset.bytes, `${Math.round(strikeAt * 100)} % of the dataset to be stored`, 120_000, 10);
  const uploadedBeforeFault = stored() - storedAtStart;
  const struckAt = Date.now();
  await options.inject({ jobId } as Job, rng);
  const job = await waitTerminal(chaos, jobId, options.withinMs ?? scaled(180_000));
  const recoveryMs = Date.now() - struckAt;

  // Assertion 2: a job that failed is retried and completes (the check that the repository is clean is the file's).
  const backups = [jobId];
  let snapshotId = job.snapshotId;
  if (job.status !== 'completed') {
    const retry = await expectBackupCompletes(chaos, root, scaled(120_000));
    backups.push(retry.jobId);
    snapshotId = retry.snapshotId;
  }
  const uploadedAfterFault = stored() - storedAtStart - uploadedBeforeFault;
  file.track({ backups });
  // Assertion 3: every snapshot reported complete restores byte for byte.
  await expectRestoresByteForByte(chaos, snapshotId!, dataset.hashes);
  // Assertions 2b, 4 and 5: the file's (ChaosFile.settle); each case in the long run.
  const orphanedBytes = await orphanedBytesOfCase(file);
  const result: CaseResult = {
    fault: options.fault, seed: rng.seed, status: job.status, reason: job.error, recoveryMs,
    uploadedAfterFault, uploadedBeforeFault, orphanedBytes, snapshotsVerified: 1, datasetBytes: dataset.bytes,
  };
  recordResult(result);
  return result;
}
