import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

const faultDir = `${process.env.TMPDIR ?? '/tmp'}/arca-e2e-faults-${randomBytes(4).toString('hex')}`;
mkdirSync(faultDir, { recursive: true });
const stack = usePlatform({ ARCA_FAULT_DIR: faultDir });

interface Job { jobId: string; status: string; snapshotId: string | null; error: string | null; stats: Record<string, number> | null }
interface Snapshot { id: string; policyId: string | null; heldAt: string | null }

/** Every file of a tree, relative path → SHA-256. */
function treeHashes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(path.relative(root, full), createHash('sha256').update(readFileSync(full)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

/** Replaces the tree's content with `files`. */
function writeTree(root: string, files: Record<string, Buffer>): void {
  rmSync(root, { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), bytes);
  }
}

async function createPolicy(name: string, dir: string, retention: Record<string, unknown>): Promise<string> {
  const created = await api<{ id: string }>(stack.platform, 'POST', '/policies', {
    name, source: { kind: 'directory', path: dir }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** Runs the policy now and waits for its job; the scheduler learns of a new policy a moment after it is created. */
async function requestRun(policyId: string): Promise<string> {
  return until(async () => {
    const run = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { policyId });
    return run.status === 202 && run.body.jobId;
  }, 'the scheduler to accept a run of the policy');
}

async function finished(jobId: string, timeoutMs = 120_000): Promise<Job> {
  return until(async () => {
    const job = (await api<Job>(stack.platform, 'GET', `/jobs/${jobId}`)).body;
    return (job.status === 'completed' || job.status === 'failed') && job;
  }, `job ${jobId} to finish`, timeoutMs);
}

async function runPolicy(policyId: string): Promise<string> {
  const job = await finished(await requestRun(policyId));
  expect(job.status, job.error ?? '').toBe('completed');
  return job.snapshotId!;
}

async function prune(body: Record<string, unknown> = {}): Promise<Job> {
  const started = await api<{ jobId: string }>(stack.platform, 'POST', '/prune', body);
  expect(started.status).toBe(202);
  return finished(started.body.jobId, 180_000);
}

async function liveSnapshots(policyId: string): Promise<Snapshot[]> {
  return (await api<Snapshot[]>(stack.platform, 'GET', `/snapshots?policyId=${policyId}`)).body;
}

/** Restores a snapshot and compares every file with what the tree held when it was backed up. */
async function expectRestoresAs(snapshotId: string, expected: Map<string, string>): Promise<void> {
  const target = path.join(stack.tempDir('lifecycle-restore'), 'out');
  const restore = await arcaStatus(stack.platform.gatewayUrl, ['restore', snapshotId, '--target', target]);
  expect(restore.code, restore.stderr).toBe(0);
  expect(treeHashes(target)).toEqual(expected);
}

/** A clean check: no damage, and (after a prune that tolerates nothing unused) no unreferenced pack. */
async function expectCleanCheck(options: { noUnreferenced?: boolean } = {}): Promise<void> {
  const check = await arcaStatus(stack.platform.gatewayUrl, ['check']);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(check.stdout).toMatch(/^no damage found/);
  if (options.noUnreferenced) expect(check.stdout).not.toMatch(/UNREFERENCED/);
}

/** Three versions of a tree that share a file and a few small ones; each has a big file of its own. */
function versions(): Array<Record<string, Buffer>> {
  const shared = randomBytes(3 * 1024 * 1024);
  return [0, 1, 2].map((v) => ({
    'shared.bin': shared,
    [`own-${v}.bin`]: randomBytes(2 * 1024 * 1024 + v * 100_000),
    'docs/readme.txt': Buffer.from(`version ${v}\n`.repeat(1000)),
    [`docs/note-${v}.txt`]: Buffer.from(`note ${v} ${randomBytes(8).toString('hex')}`),
  }));
}

describe('the snapshot lifecycle', () => {
  it('keeps two snapshots with keepLast 2, holds one against the rules, prunes the rest and restores what stays', async () => {
    const dir = path.join(stack.tempDir('lifecycle-src'), 'data');
    const trees = versions();
    const policyId = await createPolicy('keep-two', dir, { keepLast: 2 });
    const expected = new Map<string, Map<string, string>>();

    writeTree(dir, trees[0]);
    const first = await runPolicy(policyId);
    expected.set(first, treeHashes(dir));
    const held = await arcaStatus(stack.platform.gatewayUrl, ['hold', first, '--reason', 'case 4711']);
    expect(held.code, held.stderr).toBe(0);

    for (const v of [1, 2, 0]) {
      writeTree(dir, { ...trees[v], [`run-${expected.size}.txt`]: randomBytes(1000) });
      const id = await runPolicy(policyId);
      expected.set(id, treeHashes(dir));
    }
    const ids = [...expected.keys()];
    // The held first snapshot and the two newest stay; the second was forgotten by the run after it.
    expect((await liveSnapshots(policyId)).map((s) => s.id).sort()).toEqual([ids[0], ids[2], ids[3]].sort());
    const gone = await api<{ message: string }>(stack.platform, 'GET', `/snapshots/${ids[1]}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toMatch(/was forgotten on .*retention/);

    const preview = (await api<{ keep: Array<{ snapshotId: string; reasons: string[] }>; forget: unknown[] }>(stack.platform, 'GET', `/policies/${policyId}/retention/preview`)).body;
    expect(preview.forget).toEqual([]);
    expect(preview.keep.find((k) => k.snapshotId === ids[0])!.reasons).toEqual(['legal hold']);
    expect(preview.keep.find((k) => k.snapshotId === ids[3])!.reasons).toEqual(['last 1']);

    // Released, the first snapshot goes with the next forget; a dry run names it first and forgets nothing.
    expect((await arcaStatus(stack.platform.gatewayUrl, ['hold', first, '--release', '--reason', 'case closed'])).code).toBe(0);
    const dry = await arca(stack.platform.gatewayUrl, ['forget', '--policy', 'keep-two', '--dry-run']);
    expect(dry.stdout).toMatch(new RegExp(`forget  ${first.slice(0, 12)}`));
    expect(dry.stdout).toMatch(/would forget 1 snapshot\(s\), kept 2/);
    expect((await liveSnapshots(policyId)).length).toBe(3);
    const forgot = await arca(stack.platform.gatewayUrl, ['forget', '--policy', 'keep-two']);
    expect(forgot.stdout).toMatch(/forgot 1 snapshot\(s\), kept 2/);
    expect((await liveSnapshots(policyId)).map((s) => s.id).sort()).toEqual([ids[2], ids[3]].sort());

    const pruned = await arca(stack.platform.gatewayUrl, ['prune']);
    const freed = /^(\S+ \S+) freed/m.exec(pruned.stdout);
    expect(freed, pruned.stdout).not.toBeNull();
    expect(pruned.stdout).toMatch(/[1-9]\d* pack\(s\) deleted/);
    const job = (await api<Job[]>(stack.platform, 'GET', '/jobs?kind=prune')).body[0];
    expect(job.stats!.bytesFreed).toBeGreaterThan(2 * 1024 * 1024); // own-1.bin went with the second snapshot

    await expectCleanCheck();
    for (const id of [ids[2], ids[3]]) await expectRestoresAs(id, expected.get(id)!);
    const audit = (await api<Array<{ action: string; details: Record<string, unknown> }>>(stack.platform, 'GET', '/audit')).body;
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['snapshot.hold', 'snapshot.release', 'snapshot.forget', 'prune.run']));
    expect(audit.find((a) => a.action === 'snapshot.hold')!.details).toMatchObject({ reason: 'case 4711' });
  }, 300_000);

  it('keeps the replica site restorable through a prune that rewrites packs, and lets it drop what the primary deleted', async () => {
    const dir = path.join(stack.tempDir('replica-src'), 'data');
    const shared = randomBytes(3 * 1024 * 1024);
    const policyId = await createPolicy('replicated', dir, { keepLast: 1 });
    writeTree(dir, { 'shared.bin': shared, 'old.bin': randomBytes(2 * 1024 * 1024) });
    await runPolicy(policyId);
    writeTree(dir, { 'shared.bin': shared, 'new.bin': randomBytes(1024 * 1024) });
    const latest = await runPolicy(policyId); // forgets the first: old.bin's bytes are unused in a pack shared.bin still needs
    const hashes = treeHashes(dir);
    await until(async () => {
      const target = path.join(stack.tempDir('replica-pre'), 'out');
      return (await arcaStatus(stack.platform.gatewayUrl, ['restore', latest, '--target', target, '--from', 'replica'])).code === 0;
    }, 'the latest snapshot to reach the replica', 60_000, 1000);

    const job = await prune({ maxUnusedPercent: 0 });
    expect(job.status, job.error ?? '').toBe('completed');
    expect(job.stats!.packsRewritten).toBeGreaterThan(0);
    // The rewritten pack reaches the replica a moment after the prune wrote it.
    await until(async () => {
      const target = path.join(stack.tempDir('replica-post'), 'out');
      const restore = await arcaStatus(stack.platform.gatewayUrl, ['restore', latest, '--target', target, '--from', 'replica']);
      const sorted = (m: Map<string, string>) => JSON.stringify([...m].sort());
      return restore.code === 0 && sorted(treeHashes(target)) === sorted(hashes);
    }, 'a byte-exact restore from the replica after the prune', 60_000, 1000);
    // And the replica drops the packs the primary deleted: both sites end up holding the same packs.
    const packsAt = (site: string) => JSON.stringify(readdirSync(path.join(stack.platform.dataDir, site), { recursive: true, encoding: 'utf8' })
      .map((f) => /data\/[0-9a-f]{2}\/([0-9a-f]{64})\._S3rver_object$/.exec(f.split(path.sep).join('/'))?.[1]).filter(Boolean).sort());
    await until(() => packsAt('s3-primary') === packsAt('s3-replica'), 'the replica to hold the same packs as the primary', 60_000, 1000);
  }, 300_000);

  it('prunes again and again while backups of overlapping data run, and every snapshot still restores byte for byte', async () => {
    const dir = path.join(stack.tempDir('concurrent-src'), 'data');
    const trees = versions();
    const policyId = await createPolicy('busy', dir, { keepLast: 2 });
    const expected = new Map<string, Map<string, string>>();
    writeTree(dir, trees[0]);
    expected.set(await runPolicy(policyId), treeHashes(dir));
    for (let round = 1; round <= 6; round++) {
      // Cycling through the versions brings back data only forgotten snapshots referenced: the
      // backup finds it in the index while the prune is deciding whether to delete it.
      writeTree(dir, { ...trees[round % 3], [`round-${round}.txt`]: randomBytes(5000) });
      const hashes = treeHashes(dir);
      const backupJob = await requestRun(policyId);
      if (round % 2 === 0) await new Promise((r) => setTimeout(r, 150 * round)); // prunes start at different points of the backup
      const pruneStarted = await api<{ jobId: string }>(stack.platform, 'POST', '/prune', { maxUnusedPercent: 0 });
      const [backup, pruneJob] = await Promise.all([finished(backupJob), finished(pruneStarted.body.jobId, 180_000)]);
      expect(backup.status, backup.error ?? '').toBe('completed');
      expect(pruneJob.status, pruneJob.error ?? '').toBe('completed');
      expected.set(backup.snapshotId!, hashes);
    }
    const live = await liveSnapshots(policyId);
    expect(live.length).toBe(2);
    expect((await prune({ maxUnusedPercent: 0 })).status).toBe('completed');
    await expectCleanCheck({ noUnreferenced: true });
    for (const s of live) await expectRestoresAs(s.id, expected.get(s.id)!);
  }, 600_000);

  it('finishes the work of a prune killed at each of its steps, and the repository checks clean', async () => {
    const dir = path.join(stack.tempDir('crash-src'), 'data');
    const trees = versions();
    const policyId = await createPolicy('crashy', dir, { keepLast: 1 });
    let last = '';
    let hashes = new Map<string, string>();
    for (const [i, step] of ['marked', 'rewritten', 'condemned', 'waited', 'swept', 'deleted'].entries()) {
      // Something to reclaim each time: the previous snapshot is forgotten by this run's retention.
      writeTree(dir, { ...trees[i % 3], [`step-${step}.bin`]: randomBytes(600_000) });
      last = await runPolicy(policyId);
      hashes = treeHashes(dir);
      writeFileSync(path.join(faultDir, `prune-${step}`), '');
      const job = await prune({ maxUnusedPercent: 0 });
      expect(job.status, `prune killed at "${step}": ${job.error}`).toBe('completed');
      expect(readdirSync(faultDir), `the prune reached "${step}"`).not.toContain(`prune-${step}`);
      await expectCleanCheck();
      await expectRestoresAs(last, hashes);
    }
    expect((await prune({ maxUnusedPercent: 0 })).status).toBe('completed');
    await expectCleanCheck({ noUnreferenced: true });
    await expectRestoresAs(last, hashes);
    expect(stack.platform.logs.join('\n')).toMatch(/ingest.*(exited|restart)/i);
  }, 600_000);
});
