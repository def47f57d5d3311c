/**
 * `npm run bench`: Arca's data path through the running platform, on a deterministic versioned
 * dataset, against restic on the same data when `restic` is on the PATH. Prints a table and one
 * `RESULT {json}` line. Figures, not assertions: nothing here passes or fails on speed.
 *
 * BENCH_SCALE (default 1) multiplies the dataset size (1 ≈ 290 MiB across ~230 files).
 * BENCH_FILES=1000000 instead backs up that many small files (1-8 KiB, 1,000 a directory): full
 * backup, unchanged re-backup, restore of one file, `ls` of the root, peak memory; and restic the same.
 * BENCH_BIG=20GB instead backs up one file of that size: throughput and peak memory, beside restic.
 * BENCH_CIPHERS=64MB instead runs only the per-cipher case (below) on that much data. The full
 * run ends with it on 128 MB x BENCH_SCALE: backup and restore throughput of a repository of each
 * cipher (ARCA_CIPHER: aes-256-gcm, chacha20-poly1305), same data, fresh platform each.
 * BENCH_DR=1 instead runs only the disaster-recovery case (drBench below) on the benchmark dataset
 * (BENCH_SCALE applies), or with BENCH_DR_FILES=200000 on that many small files (1-8 KiB each):
 * RTO to the first file and to the whole dataset, the catalogue-rebuild rate, ingest's peak memory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, PLATFORM_HEALTHY_MS, startTestPlatform, TestPlatform, until } from '../src/support/test-platform';
import { makeBigFile, makeSmallFiles, peakRss } from '../src/support/real-sizes';
import { DATASET_VERSION, makeVersion1, makeVersion2 } from './dataset';

interface Figures {
  fullBackupMBps: number;
  incrementalBackupMBps: number;
  restoreMBps: number;
  bytesStored: number;
  dedupeRatio: number;
  compressionRatio: number;
  pruneSeconds: number;
  pruneBytesFreed: number;
}

const MB = 1e6;

/** Flushes the page cache's dirty pages, so a tool's fsyncs do not pay for the dataset just written. */
function settle(): void {
  execFileSync('sync');
}

function duBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir]).toString().split(/\s/)[0]);
}

/** Peak resident memory (VmHWM) of each service process that is still running. */
function peakMemory(pids: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const peak = peakRss(pid);
    if (peak !== undefined) out[name] = peak;
  }
  return out;
}

async function runJob(platform: TestPlatform, start: () => Promise<{ jobId: string }>): Promise<{ seconds: number; job: { snapshotId: string; stats: Record<string, number> } }> {
  const t0 = performance.now();
  const { jobId } = await start();
  const job = await until(async () => {
    const r = await api<{ status: string; error?: string; snapshotId: string; stats: Record<string, number> }>(platform, 'GET', `/jobs/${jobId}`);
    if (r.body?.status === 'failed') throw new Error(`job failed: ${r.body.error}`);
    return r.status === 200 && r.body.status === 'completed' ? r.body : undefined;
  }, `job ${jobId}`, 30 * 60_000, 100); // 100 ms: finer than the default poll, without the poll itself loading the platform
  return { seconds: (performance.now() - t0) / 1000, job };
}

/**
 * Waits until the replica site has every snapshot so far: replication copies packs right after a
 * backup, and timing the next step while it runs would measure the two together.
 */
async function replicationSettled(platform: TestPlatform, snapshots: number): Promise<void> {
  await until(async () => {
    const r = await api<{ replication: { completed: number; failed: number } }>(platform, 'GET', '/reports/summary');
    return r.body.replication.completed + r.body.replication.failed >= snapshots;
  }, 'replication to settle', 10 * 60_000);
}

async function arcaRun(objectStore: 'fs' | 's3', v1: string, v2: string | undefined, restoreTo: string) {
  const platform = await startTestPlatform({ OBJECT_STORE: objectStore });
  try {
    if (!(await platform.waitUntilHealthy(120_000))) throw new Error(`platform not healthy:\n${platform.logs.slice(-30).join('\n')}`);
    const backup = (dir: string) => runJob(platform, async () => (await api<{ jobId: string }>(platform, 'POST', '/jobs', { source: { kind: 'directory', path: dir } })).body);
    // An untimed backup of a tiny tree first: the first job after a start also pays for consumer
    // group joins and connection set-up, which is not the data path's speed.
    await backup(warmUpTree());
    // The dataset is backed up by a policy keeping one snapshot, so the second backup's retention
    // forgets the first version and the prune below reclaims what only it referenced.
    const policy = await api<{ id: string }>(platform, 'POST', '/policies', {
      name: 'bench', source: { kind: 'directory', path: v1 }, schedule: { cron: '0 3 1 1 *', timezone: 'UTC' }, rpoMinutes: 525_600, retention: { keepLast: 1 },
    });
    const runPolicy = () => runJob(platform, () => until(async () => {
      const r = await api<{ jobId: string }>(platform, 'POST', '/jobs', { policyId: policy.body.id });
      return r.status === 202 && r.body; // the scheduler learns of the policy over Kafka a moment after it is created
    }, 'the scheduler to know the bench policy'));
    const full = await runPolicy();
    await replicationSettled(platform, 1);
    if (!v2) return { platform: undefined, full, incremental: undefined, restore: undefined, prune: undefined, memory: peakMemory(platform.pids()) };
    makeVersion2(v1); // edit the same directory, as a real second day would
    settle();
    const incremental = await runPolicy();
    await replicationSettled(platform, 2);
    const restore = await runJob(platform, async () => (await api<{ jobId: string }>(platform, 'POST', `/snapshots/${incremental.job.snapshotId}/restore`, { target: restoreTo })).body);
    execFileSync('diff', ['-r', '--no-dereference', v1, restoreTo]);
    // Retention forgot version 1 after the second backup; the prune reclaims its space (default --max-unused 5%).
    const prune = await runJob(platform, async () => (await api<{ jobId: string }>(platform, 'POST', '/prune', {})).body);
    return { full, incremental, restore, prune, memory: peakMemory(platform.pids()) };
  } finally {
    await platform.destroy();
  }
}

function warmUpTree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arca-bench-warm-up-'));
  writeFileSync(path.join(dir, 'warm-up.txt'), 'warm-up\n');
  return dir;
}

function resticRun(v1: string, restoreTo: string, work: string): { full: number; incremental: number; restore: number; stored: number; prune: number; freed: number } | undefined {
  const restic = resticIn(work);
  if (!restic) return undefined;
  restic('init', '--repository-version', '2');
  settle();
  const full = restic('backup', '--compression', 'auto', '--quiet', v1);
  makeVersion2(v1);
  settle();
  const incremental = restic('backup', '--compression', 'auto', '--quiet', v1);
  const restore = restic('restore', 'latest', '--target', restoreTo);
  const stored = duBytes(path.join(work, 'restic-repo'));
  const prune = restic('forget', '--keep-last', '1', '--prune');
  return { full, incremental, restore, stored, prune, freed: stored - duBytes(path.join(work, 'restic-repo')) };
}

/** A restic of the bench's own: a repository in `work`, timed commands. Undefined when restic is not installed. */
function resticIn(work: string): ((...args: string[]) => number) | undefined {
  if (spawnSync('restic', ['version']).status !== 0) return undefined;
  const pw = path.join(work, 'restic-pw');
  writeFileSync(pw, 'bench');
  const env = { ...process.env, RESTIC_REPOSITORY: path.join(work, 'restic-repo'), RESTIC_PASSWORD_FILE: pw, RESTIC_CACHE_DIR: path.join(work, 'restic-cache') };
  return (...args: string[]) => {
    const t0 = performance.now();
    const r = spawnSync('restic', args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1024 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`restic ${args[0]} failed: ${r.stderr}`);
    return (performance.now() - t0) / 1000;
  };
}

/** Seconds of an HTTP call through the gateway (ls). */
async function timed(call: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await call();
  return (performance.now() - t0) / 1000;
}

/** BENCH_FILES: many small files, Arca (filesystem store) and restic side by side. */
async function manyFilesBench(files: number, work: string, log: (line: string) => void): Promise<void> {
  const data = path.join(work, 'files');
  log(`${files} small files in ${data}`);
  const bytes = makeSmallFiles(data, 'bench-files-1', files);
  settle();
  const oneFile = `/dir-000/file-000000.bin`;
  const platform = await startTestPlatform({ OBJECT_STORE: 'fs' });
  const arca: Record<string, number | Record<string, number>> = {};
  try {
    if (!(await platform.waitUntilHealthy(120_000))) throw new Error('platform not healthy');
    const backup = () => runJob(platform, async () => (await api<{ jobId: string }>(platform, 'POST', '/jobs', { source: { kind: 'directory', path: data } })).body);
    const full = await backup();
    arca.fullBackupSeconds = round(full.seconds);
    arca.unchangedBackupSeconds = round((await backup()).seconds);
    const snapshot = full.job.snapshotId;
    arca.restoreOneFileSeconds = round((await runJob(platform, async () => (await api<{ jobId: string }>(platform, 'POST', `/snapshots/${snapshot}/restore`, { target: path.join(work, 'arca-one'), paths: [oneFile] })).body)).seconds);
    arca.lsRootSeconds = round(await timed(() => api(platform, 'GET', `/snapshots/${snapshot}/tree?path=/`)));
    arca.peakMemoryBytes = peakMemory(platform.pids());
  } finally {
    await platform.destroy();
  }
  const result: Record<string, unknown> = { files, datasetBytes: bytes, arca };
  const restic = resticIn(work);
  if (restic) {
    restic('init', '--repository-version', '2');
    settle();
    const r = {
      fullBackupSeconds: round(restic('backup', '--compression', 'auto', '--quiet', data)),
      unchangedBackupSeconds: round(restic('backup', '--compression', 'auto', '--quiet', data)),
      restoreOneFileSeconds: round(restic('restore', 'latest', '--target', path.join(work, 'restic-one'), '--include', path.join(data, oneFile))),
      lsRootSeconds: round(restic('ls', 'latest', data)),
    };
    result.restic = r;
    result.ratioToRestic = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round((arca[k] as number) / v)]));
  }
  console.log(`\n${files} small files (${(bytes / MB).toFixed(0)} MB): seconds, arca / restic${restic ? '' : ' (restic not installed)'}`);
  for (const k of ['fullBackupSeconds', 'unchangedBackupSeconds', 'restoreOneFileSeconds', 'lsRootSeconds']) {
    console.log(`${k.padEnd(26)}${String(arca[k]).padEnd(10)}${result.restic ? (result.restic as Record<string, number>)[k] : '-'}`);
  }
  console.log(`peak memory: ${Object.entries(arca.peakMemoryBytes as Record<string, number>).map(([k, v]) => `${k} ${(v / MB).toFixed(0)} MB`).join(', ')}`);
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/** BENCH_BIG: one big file, Arca (filesystem store) and restic side by side. */
async function bigFileBench(size: number, work: string, log: (line: string) => void): Promise<void> {
  const data = path.join(work, 'big');
  mkdirSync(data);
  log(`one file of ${(size / 1e9).toFixed(1)} GB in ${data}`);
  await makeBigFile(path.join(data, 'big.bin'), 'bench-big-1', size);
  settle();
  const platform = await startTestPlatform({ OBJECT_STORE: 'fs' });
  const arca: Record<string, number | Record<string, number>> = {};
  try {
    if (!(await platform.waitUntilHealthy(120_000))) throw new Error('platform not healthy');
    const full = await runJob(platform, async () => (await api<{ jobId: string }>(platform, 'POST', '/jobs', { source: { kind: 'directory', path: data } })).body);
    arca.fullBackupMBps = round(size / MB / full.seconds);
    arca.peakMemoryBytes = peakMemory(platform.pids());
  } finally {
    await platform.destroy();
  }
  const result: Record<string, unknown> = { bytes: size, arca };
  const restic = resticIn(work);
  if (restic) {
    restic('init', '--repository-version', '2');
    settle();
    const r = { fullBackupMBps: round(size / MB / restic('backup', '--compression', 'auto', '--quiet', data)) };
    result.restic = r;
    result.ratioToRestic = { fullBackup: round((arca.fullBackupMBps as number) / r.fullBackupMBps) };
  }
  console.log(`\none file of ${(size / 1e9).toFixed(1)} GB: full backup arca ${arca.fullBackupMBps} MB/s, restic ${result.restic ? (result.restic as Record<string, number>).fullBackupMBps : '-'} MB/s`);
  console.log(`peak memory: ${Object.entries(arca.peakMemoryBytes as Record<string, number>).map(([k, v]) => `${k} ${(v / MB).toFixed(0)} MB`).join(', ')}`);
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/**
 * Backup and restore of the same data into a repository of each cipher: a fresh platform per
 * cipher (a repository's cipher is chosen when it is created), an untimed warm-up job first.
 */
async function cipherBench(size: number, work: string, log: (line: string) => void): Promise<Record<string, { backupMBps: number; restoreMBps: number }>> {
  const data = path.join(work, 'cipher-data');
  mkdirSync(data, { recursive: true });
  // four files, so the data path seals in parallel as a real tree would
  for (let i = 0; i < 4; i++) await makeBigFile(path.join(data, `part-${i}.bin`), `bench-cipher-${i}`, Math.ceil(size / 4));
  const bytes = duBytes(data);
  const out: Record<string, { backupMBps: number; restoreMBps: number }> = {};
  for (const cipher of ['aes-256-gcm', 'chacha20-poly1305']) {
    log(`cipher ${cipher}: backup and restore of ${(bytes / MB).toFixed(0)} MB`);
    settle();
    const platform = await startTestPlatform({ OBJECT_STORE: 'fs', ARCA_CIPHER: cipher });
    try {
      if (!(await platform.waitUntilHealthy(120_000))) throw new Error(`platform not healthy:\n${platform.logs.slice(-30).join('\n')}`);
      const backup = (dir: string) => runJob(platform, async () => (await api<{ jobId: string }>(platform, 'POST', '/jobs', { source: { kind: 'directory', path: dir } })).body);
      await backup(warmUpTree());
      const full = await backup(data);
      const target = path.join(work, `cipher-restore-${cipher}`);
      const restore = await runJob(platform, async () => (await api<{ jobId: string }>(platform, 'POST', `/snapshots/${full.job.snapshotId}/restore`, { target })).body);
      execFileSync('diff', ['-r', '--no-dereference', data, target]);
      rmSync(target, { recursive: true, force: true });
      out[cipher] = { backupMBps: round(bytes / MB / full.seconds), restoreMBps: round(bytes / MB / restore.seconds) };
    } finally {
      await platform.destroy();
    }
  }
  console.log(`\n${'cipher'.padEnd(22)}${'backup'.padEnd(16)}restore`);
  for (const [cipher, f] of Object.entries(out)) console.log(`${cipher.padEnd(22)}${`${f.backupMBps} MB/s`.padEnd(16)}${f.restoreMBps} MB/s`);
  return out;
}

/** Freed bytes are small when versions share most data: kB keeps them readable. */
function kilobytes(bytes: number): string {
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

/** "20GB", "500MB", "3GiB" or a number of bytes. */
function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i.exec(text.trim());
  if (!m) throw new Error(`BENCH_BIG must be a size such as 20GB or 3GiB, got ${JSON.stringify(text)}`);
  const units: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
  return Math.round(Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]);
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / MB).toFixed(0)} MB`);

/** Resets a process's peak resident memory (VmHWM) to its current RSS, which it returns (Linux: clear_refs 5; undefined where refused). */
function resetPeakRss(pid: number): number | undefined {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    return undefined;
  }
  return peakRss(pid);
}

async function recoverJob(platform: TestPlatform, from: 'replica' | 'primary', merge = false): Promise<{ seconds: number; job: { stats: Record<string, number> } }> {
  return runJob(platform, async () => {
    const r = await api<{ jobId: string; message?: string }>(platform, 'POST', '/repository/recover', { from, ...(merge ? { merge: true } : {}) });
    if (r.status !== 202) throw new Error(`POST /repository/recover answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  });
}

/**
 * BENCH_DR: the drill, measured. A platform backs up the dataset with replication to a second site
 * (a folder of its own, outside the platform's data folder), then loses everything else: it is
 * destroyed (its primary bucket, its Kafka log and every Arca schema gone). A fresh platform on a
 * new, empty schema prefix and an empty primary bucket, beside that replica, runs
 * `recover --from replica`; then the newest snapshot's first file, then the whole snapshot, is
 * restored and compared with the source. RTO is counted from the recover request.
 */
async function drBench(work: string, log: (line: string) => void): Promise<void> {
  const data = path.join(work, 'data');
  const smallFiles = process.env.BENCH_DR_FILES ? Number(process.env.BENCH_DR_FILES) : undefined;
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  let firstFile: string;
  let describe: string;
  if (smallFiles) {
    const bytes = makeSmallFiles(data, 'bench-dr-files-1', smallFiles);
    firstFile = 'dir-000/file-000000.bin';
    describe = `${smallFiles} small files (${(bytes / MB).toFixed(0)} MB)`;
  } else {
    makeVersion1(data, { incompressibleMiB: 96 * scale, textMiB: 128 * scale, duplicateCopies: Math.round(8 * scale) });
    firstFile = 'logs/app/app-0.log'; // changed by version 2: the newest snapshot's own content
    describe = `dataset v${DATASET_VERSION} (scale ${scale})`;
  }
  settle();
  const replicaDir = path.join(work, 'replica-site');
  const sites = { OBJECT_STORE: 'fs', REPLICA_OBJECT_STORE: 'fs', REPLICA_OBJECT_STORE_DIR: replicaDir };
  log(`${describe} in ${data}: backup with replication to ${replicaDir}`);
  const lost = await startTestPlatform(sites);
  let snapshots = 0;
  try {
    if (!(await lost.waitUntilHealthy(PLATFORM_HEALTHY_MS))) throw new Error(`platform not healthy:\n${lost.logs.slice(-30).join('\n')}`);
    const backup = () => runJob(lost, async () => (await api<{ jobId: string }>(lost, 'POST', '/jobs', { source: { kind: 'directory', path: data } })).body);
    await backup();
    snapshots++;
    if (!smallFiles) {
      makeVersion2(data);
      settle();
      await backup();
      snapshots++;
    }
    await replicationSettled(lost, snapshots);
  } finally {
    await lost.destroy(); // the disaster: primary bucket, broker log and schemas gone; the replica folder is outside it
  }
  const datasetBytes = duBytes(data);

  log('a fresh platform on empty schemas and an empty primary bucket: recover --from replica');
  const fresh = await startTestPlatform(sites);
  try {
    if (!(await fresh.waitUntilHealthy(PLATFORM_HEALTHY_MS))) throw new Error(`platform not healthy:\n${fresh.logs.slice(-30).join('\n')}`);
    const listed = await api<unknown[]>(fresh, 'GET', '/snapshots');
    if (listed.status !== 200 || listed.body.length !== 0) throw new Error(`the fresh platform's catalogue is not empty: ${listed.status} ${JSON.stringify(listed.body).slice(0, 300)}`);
    const ingestPid = fresh.pids().ingest;
    const startupPeak = peakRss(ingestPid);
    const atRecover = resetPeakRss(ingestPid); // the recovery's own peak, not the start's
    const t0 = performance.now();
    const recover = await recoverJob(fresh, 'replica');
    const recoverPeak = peakRss(ingestPid); // before any restore
    const stats = recover.job.stats;
    if (stats.snapshotsRecovered !== snapshots) throw new Error(`recovered ${stats.snapshotsRecovered} snapshot(s), expected ${snapshots}: ${JSON.stringify(stats)}`);
    const newest = (await api<Array<{ id: string; time: string }>>(fresh, 'GET', '/snapshots')).body.sort((a, b) => (a.time < b.time ? 1 : -1))[0];
    const one = path.join(work, 'restore-one');
    const restoreOne = await runJob(fresh, async () => (await api<{ jobId: string }>(fresh, 'POST', `/snapshots/${newest.id}/restore`, { target: one, paths: [`/${firstFile}`] })).body);
    execFileSync('cmp', [path.join(data, firstFile), path.join(one, firstFile)]);
    const firstFileSeconds = (performance.now() - t0) / 1000;
    const whole = path.join(work, 'restore-whole');
    const restoreWhole = await runJob(fresh, async () => (await api<{ jobId: string }>(fresh, 'POST', `/snapshots/${newest.id}/restore`, { target: whole })).body);
    execFileSync('diff', ['-r', '--no-dereference', data, whole]);
    // The same rebuild again without the copy back (a merge from the primary the recovery refilled:
    // every header, manifest and tree read, every pack registered again): the rebuild's own rate and memory.
    const atMerge = resetPeakRss(ingestPid);
    const merge = await recoverJob(fresh, 'primary', true);
    const mergePeak = peakRss(ingestPid);
    const mergeStats = merge.job.stats;
    if (mergeStats.snapshotsKept !== snapshots || mergeStats.chunksRecovered !== stats.chunksRecovered) throw new Error(`the merge saw other counts than the recovery: ${JSON.stringify(mergeStats)}`);
    const jobSeconds = stats.durationMs / 1000;
    const mergeSeconds = mergeStats.durationMs / 1000;
    const dr = {
      snapshots, datasetBytes, files: smallFiles,
      recoverSeconds: round(recover.seconds),
      recoverJobSeconds: round(jobSeconds),
      objectsCopied: stats.objectsCopied, bytesCopied: stats.bytesCopied, packsRecovered: stats.packsRecovered, chunksRecovered: stats.chunksRecovered,
      snapshotsPerSecond: round(stats.snapshotsRecovered / jobSeconds),
      chunksPerSecond: round(stats.chunksRecovered / jobSeconds),
      restoreFirstFileSeconds: round(restoreOne.seconds),
      rtoFirstFileSeconds: round(firstFileSeconds),
      restoreWholeSeconds: round(restoreWhole.seconds),
      // Recovery, then the whole restore (the one-file restore before it is not counted).
      rtoWholeSeconds: round(recover.seconds + restoreWhole.seconds),
      rebuildJobSeconds: round(mergeSeconds),
      rebuildSnapshotsPerSecond: round(mergeStats.snapshotsKept / mergeSeconds),
      rebuildChunksPerSecond: round(mergeStats.chunksRecovered / mergeSeconds),
      // VmHWM, reset just before each job (VmRSS at that moment beside it).
      ingestMemoryBytes: { peakAfterStart: startupPeak, atRecover, peakThroughRecover: recoverPeak, atRebuild: atMerge, peakThroughRebuild: mergePeak },
      peakMemoryBytes: peakMemory(fresh.pids()),
      loadAverage: os.loadavg().map(round),
      cpus: os.cpus().length,
    };
    console.log(`\ndisaster recovery from the replica: ${describe}, ${(datasetBytes / MB).toFixed(0)} MB restored, ${snapshots} snapshot(s), ${os.cpus().length} cores, load ${dr.loadAverage.join(' ')}`);
    const rows: Array<[string, string]> = [
      ['recover (request to job completed)', `${dr.recoverSeconds} s (job ${dr.recoverJobSeconds} s)`],
      ['copied back to the primary', `${dr.objectsCopied} objects, ${(dr.bytesCopied / MB).toFixed(1)} MB`],
      ['catalogue rebuild, with the copy', `${dr.snapshotsPerSecond} snapshots/s, ${dr.chunksPerSecond} chunks/s (${dr.packsRecovered} packs, ${dr.chunksRecovered} chunks)`],
      ['catalogue rebuild alone (merge)', `${dr.rebuildSnapshotsPerSecond} snapshots/s, ${dr.rebuildChunksPerSecond} chunks/s (job ${dr.rebuildJobSeconds} s)`],
      ['RTO to the first file', `${dr.rtoFirstFileSeconds} s (its restore ${dr.restoreFirstFileSeconds} s)`],
      ['RTO to the whole dataset', `${dr.rtoWholeSeconds} s (its restore ${dr.restoreWholeSeconds} s)`],
      ['ingest peak RSS through recover', `${mb(recoverPeak)} (RSS ${mb(atRecover)} when it started; peak ${mb(startupPeak)} after the start)`],
      ['ingest peak RSS through the merge', `${mb(mergePeak)} (RSS ${mb(atMerge)} when it started)`],
    ];
    for (const [name, value] of rows) console.log(`${name.padEnd(36)}${value}`);
    console.log(`RESULT ${JSON.stringify({ datasetVersion: DATASET_VERSION, scale, dr })}`);
  } finally {
    await fresh.destroy();
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_CIPHERS) {
    const work = mkdtempSync(path.join(os.tmpdir(), 'arca-bench-'));
    try {
      const ciphers = await cipherBench(parseSize(process.env.BENCH_CIPHERS), work, (line) => process.stderr.write(`[bench] ${line}\n`));
      console.log(`RESULT ${JSON.stringify({ ciphers })}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  if (process.env.BENCH_DR) {
    const work = mkdtempSync(path.join(os.tmpdir(), 'arca-bench-dr-'));
    try {
      await drBench(work, (line) => process.stderr.write(`[bench] ${line}\n`));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  if (process.env.BENCH_FILES || process.env.BENCH_BIG) {
    const work = mkdtempSync(path.join(os.tmpdir(), 'arca-bench-'));
    const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
    try {
      if (process.env.BENCH_FILES) await manyFilesBench(Number(process.env.BENCH_FILES), work, log);
      if (process.env.BENCH_BIG) await bigFileBench(parseSize(process.env.BENCH_BIG), work, log);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const spec = { incompressibleMiB: 96 * scale, textMiB: 128 * scale, duplicateCopies: Math.round(8 * scale) };
  const work = mkdtempSync(path.join(os.tmpdir(), 'arca-bench-'));
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  try {
    const data = path.join(work, 'data');
    log(`dataset v${DATASET_VERSION} (scale ${scale}) in ${data}`);
    makeVersion1(data, spec);
    settle();
    const v1Bytes = duBytes(data);

    log('arca on the filesystem object store: full backup, incremental, restore');
    const arcaFs = await arcaRun('fs', data, 'v2', path.join(work, 'arca-restore'));
    const v2Bytes = duBytes(data);
    const stats1 = arcaFs.full.job.stats;
    const stats2 = arcaFs.incremental!.job.stats;
    const restoreBytes = duBytes(path.join(work, 'arca-restore'));
    const arca: Figures & Record<string, unknown> = {
      fullBackupMBps: round(v1Bytes / MB / arcaFs.full.seconds),
      incrementalBackupMBps: round(v2Bytes / MB / arcaFs.incremental!.seconds),
      restoreMBps: round(restoreBytes / MB / arcaFs.restore!.seconds),
      // The same jobs as the worker timed them, without the request's trip over Kafka and the poll.
      jobTimed: {
        fullBackupMBps: round(v1Bytes / MB / (stats1.durationMs / 1000)),
        incrementalBackupMBps: round(v2Bytes / MB / (stats2.durationMs / 1000)),
        restoreMBps: round(restoreBytes / MB / (arcaFs.restore!.job.stats.durationMs / 1000)),
      },
      bytesStored: stats1.bytesStored + stats2.bytesStored,
      incrementalBytesStored: stats2.bytesStored,
      dedupeRatio: round((stats1.bytesRead + stats2.bytesRead) / Math.max(1, stats1.bytesNew + stats2.bytesNew)),
      compressionRatio: round((stats1.bytesNew + stats2.bytesNew) / Math.max(1, stats1.bytesStored + stats2.bytesStored)),
      pruneSeconds: round(arcaFs.prune!.seconds),
      pruneBytesFreed: arcaFs.prune!.job.stats.bytesFreed,
      pruneJobSeconds: round(arcaFs.prune!.job.stats.durationMs / 1000),
      peakMemoryBytes: arcaFs.memory,
    };

    log('arca on s3rver: full backup');
    makeVersion1(data, spec);
    settle();
    const arcaS3 = await arcaRun('s3', data, undefined, path.join(work, 'unused'));
    arca.s3FullBackupMBps = round(v1Bytes / MB / arcaS3.full.seconds);

    makeVersion1(data, spec);
    log('restic on the same data (local repository, --compression auto)');
    const r = resticRun(data, path.join(work, 'restic-restore'), work);
    const result: Record<string, unknown> = { datasetVersion: DATASET_VERSION, scale, datasetBytes: v1Bytes, arca };
    if (r) {
      const restic = {
        fullBackupMBps: round(v1Bytes / MB / r.full),
        incrementalBackupMBps: round(v2Bytes / MB / r.incremental),
        restoreMBps: round(duBytes(path.join(work, 'restic-restore')) / MB / r.restore),
        bytesStored: r.stored,
        pruneSeconds: round(r.prune),
        pruneBytesFreed: r.freed,
      };
      result.restic = restic;
      result.ratioToRestic = {
        fullBackup: round(arca.fullBackupMBps / restic.fullBackupMBps),
        incrementalBackup: round(arca.incrementalBackupMBps / restic.incrementalBackupMBps),
        restore: round(arca.restoreMBps / restic.restoreMBps),
        bytesStored: round(arca.bytesStored / restic.bytesStored),
        pruneSeconds: round(arca.pruneSeconds / restic.pruneSeconds),
        pruneBytesFreed: round(arca.pruneBytesFreed / Math.max(1, restic.pruneBytesFreed)),
      };
    } else {
      log('restic is not on the PATH (Debian package "restic"): no comparison');
    }
    const rows: Array<[string, string, string]> = [
      ['full backup', `${arca.fullBackupMBps} MB/s`, r ? `${(result.restic as Figures).fullBackupMBps} MB/s` : '-'],
      ['incremental backup', `${arca.incrementalBackupMBps} MB/s`, r ? `${(result.restic as Figures).incrementalBackupMBps} MB/s` : '-'],
      ['restore', `${arca.restoreMBps} MB/s`, r ? `${(result.restic as Figures).restoreMBps} MB/s` : '-'],
      ['bytes stored', `${(arca.bytesStored / MB).toFixed(1)} MB`, r ? `${((result.restic as Figures).bytesStored / MB).toFixed(1)} MB` : '-'],
      ['prune after forgetting v1', `${arca.pruneSeconds} s`, r ? `${(result.restic as Figures).pruneSeconds} s` : '-'],
      ['bytes freed by prune', kilobytes(arca.pruneBytesFreed), r ? kilobytes((result.restic as Figures).pruneBytesFreed) : '-'],
      ['dedupe ratio', `${arca.dedupeRatio}`, ''],
      ['compression ratio', `${arca.compressionRatio}`, ''],
      ['full backup on s3rver', `${arca.s3FullBackupMBps} MB/s`, ''],
    ];
    console.log(`\n${'figure'.padEnd(30)}${'arca'.padEnd(16)}restic`);
    for (const [name, a, b] of rows) console.log(`${name.padEnd(30)}${a.padEnd(16)}${b}`);
    console.log(`peak memory: ${Object.entries(arca.peakMemoryBytes as Record<string, number>).map(([k, v]) => `${k} ${(v / MB).toFixed(0)} MB`).join(', ')}`);
    result.ciphers = await cipherBench(128 * MB * scale, work, log);
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
