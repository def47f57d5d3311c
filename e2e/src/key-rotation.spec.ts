import { sealedGeneration } from '@arca/datapath';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

const stack = usePlatform();

interface Job { jobId: string; status: string; snapshotId: string | null; error: string | null }
interface Generation { generation: number; createdAt: string; current: boolean; packs: number; bytes: number; nonces: { sealed: number; budget: number; used: number; rotate: boolean } }
interface Report { repositoryId: string; cipher: string; currentGeneration: number; idKeyRotated: boolean; generations: Generation[]; rotate: boolean }

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

function writeTree(root: string, files: Record<string, Buffer>): void {
  rmSync(root, { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), bytes);
  }
}

/** Packs and bytes per generation, read from the primary store's files directly (s3rver keeps each object as a file). */
function packsOnDisk(): Map<number, { packs: number; bytes: number }> {
  const out = new Map<number, { packs: number; bytes: number }>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\/data\/[0-9a-f]{2}\/[0-9a-f]{64}\._S3rver_object$/.test(full)) {
        const head = Buffer.alloc(4);
        const fd = openSync(full, 'r');
        readSync(fd, head, 0, 4, 0);
        closeSync(fd);
        const generation = sealedGeneration(head)!;
        const at = out.get(generation) ?? { packs: 0, bytes: 0 };
        at.packs++;
        at.bytes += statSync(full).size;
        out.set(generation, at);
      }
    }
  };
  walk(path.join(stack.platform.dataDir, 's3-primary'));
  return out;
}

async function report(): Promise<Report> {
  const answer = await api<Report>(stack.platform, 'GET', '/repository/keys');
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** The report's packs and bytes per generation equal what the store holds. */
async function expectReportMatchesStore(): Promise<Report> {
  const body = await report();
  const disk = packsOnDisk();
  for (const g of body.generations) expect({ generation: g.generation, packs: g.packs, bytes: g.bytes }).toEqual({ generation: g.generation, ...(disk.get(g.generation) ?? { packs: 0, bytes: 0 }) });
  expect([...disk.keys()].every((g) => body.generations.some((r) => r.generation === g))).toBe(true);
  return body;
}

async function finished(jobId: string, timeoutMs = 120_000): Promise<Job> {
  return until(async () => {
    const job = (await api<Job>(stack.platform, 'GET', `/jobs/${jobId}`)).body;
    return (job.status === 'completed' || job.status === 'failed') && job;
  }, `job ${jobId} to finish`, timeoutMs);
}

async function runPolicy(policyId: string): Promise<string> {
  const jobId = await until(async () => {
    const run = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { policyId });
    return run.status === 202 && run.body.jobId;
  }, 'the scheduler to accept a run of the policy');
  const job = await finished(jobId);
  expect(job.status, job.error ?? '').toBe('completed');
  return job.snapshotId!;
}

async function expectRestoresAs(snapshotId: string, expected: Map<string, string>): Promise<void> {
  const target = path.join(stack.tempDir('rotation-restore'), 'out');
  const restore = await arcaStatus(stack.platform.gatewayUrl, ['restore', snapshotId, '--target', target]);
  expect(restore.code, restore.stderr).toBe(0);
  expect(treeHashes(target)).toEqual(expected);
}

async function expectCleanCheck(): Promise<void> {
  const check = await arcaStatus(stack.platform.gatewayUrl, ['check']);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(check.stdout).toMatch(/^no damage found/);
}

/** An ingest worker started with `env` until it says it unlocked the repository (then stopped): what a restart would do. */
function ingestWith(env: NodeJS.ProcessEnv): Promise<{ line?: string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(__dirname, '../../services/ingest/src/main.ts')], {
      env: { ...stack.platform.env, INGEST_PORT: '0', LOG_LEVEL: 'log', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const seen = (d: Buffer) => {
      output += d;
      const line = /unlocked with key slot [^\n]*sealing under key generation \d+/.exec(output)?.[0];
      if (line) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve({ line, output });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ output });
    });
  });
}

describe('master key rotation', () => {
  it('rotates: new data under the new generation, both snapshots restore, prune moves rewritten packs, every slot opens every generation', async () => {
    const url = stack.platform.gatewayUrl;
    const dir = path.join(stack.tempDir('rotation-src'), 'data');
    const shared = randomBytes(1024 * 1024);
    writeTree(dir, { 'shared.bin': shared, 'old.bin': randomBytes(1024 * 1024), 'docs/readme.txt': Buffer.from('version 1\n'.repeat(500)) });
    const created = await api<{ id: string }>(stack.platform, 'POST', '/policies', {
      name: 'rotation', source: { kind: 'directory', path: dir }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 2 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const policyId = created.body.id;

    const first = await runPolicy(policyId);
    const firstHashes = treeHashes(dir);
    const before = await expectReportMatchesStore();
    expect(before.currentGeneration).toBe(1);
    expect(before.generations).toHaveLength(1);
    expect(before.generations[0].packs).toBeGreaterThan(0);
    // each stored pack's chunks and header, and the manifest, were counted
    expect(before.generations[0].nonces.sealed).toBeGreaterThan(before.generations[0].packs);
    expect(before.generations[0].nonces).toMatchObject({ budget: 2 ** 32, rotate: false });

    const rotated = JSON.parse((await arca(url, ['keys', 'master', 'rotate', '--json'])).stdout) as { generation: number; previous: number };
    expect(rotated).toMatchObject({ generation: 2, previous: 1 });
    const audit = await until(async () => {
      const entries = (await api<Array<{ action: string; details: Record<string, unknown> }>>(stack.platform, 'GET', '/audit')).body;
      return entries.find((e) => e.action === 'repository.key.rotated');
    }, 'the rotation in the audit log');
    expect(audit.details).toMatchObject({ generation: 2, previous: 1 });

    writeTree(dir, { 'shared.bin': shared, 'new.bin': randomBytes(1024 * 1024), 'docs/readme.txt': Buffer.from('version 2\n'.repeat(500)) });
    const second = await runPolicy(policyId);
    const secondHashes = treeHashes(dir);
    const after = await expectReportMatchesStore();
    expect(after.currentGeneration).toBe(2);
    expect(after.idKeyRotated).toBe(false);
    const [gen1, gen2] = after.generations;
    expect({ packs: gen1.packs, bytes: gen1.bytes, current: gen1.current }).toEqual({ packs: before.generations[0].packs, bytes: before.generations[0].bytes, current: false });
    expect(gen2.current).toBe(true);
    expect(gen2.packs).toBeGreaterThan(0);
    expect(gen2.nonces.sealed).toBeGreaterThan(0);
    // the chunk ids did not change: shared.bin was deduplicated, not stored again under generation 2
    expect(gen2.bytes).toBeLessThan(1.5 * 1024 * 1024);
    const status = (await arca(url, ['keys', 'master', 'status'])).stdout;
    expect(status).toMatch(/new objects are sealed under key generation 2/);

    await expectRestoresAs(first, firstHashes);
    await expectRestoresAs(second, secondHashes);
    await expectCleanCheck();

    // A slot added after the rotation opens every generation: a worker started with it unlocks and seals under 2.
    const current = path.join(stack.tempDir('secret'), 'current');
    writeFileSync(current, `${stack.platform.env.ARCA_PASSPHRASE}\n`, { mode: 0o600 });
    const added = await arcaStatus(url, ['keys', 'slots', 'add', 'after-rotation', '--passphrase-file', '-', '--current-passphrase-file', current], Buffer.from('after-rotation-passphrase\n'));
    expect(added.code, added.stderr).toBe(0);
    const worker = await ingestWith({ ARCA_PASSPHRASE: 'after-rotation-passphrase' });
    expect(worker.line, worker.output.slice(-2000)).toMatch(/key slot \\?"after-rotation\\?" .*sealing under key generation 2/); // the log line is JSON: quotes escaped

    // Forgetting the first snapshot leaves its packs partly unused: prune rewrites them under generation 2.
    writeTree(dir, { 'shared.bin': shared, 'new.bin': readFileSync(path.join(dir, 'new.bin')), 'docs/readme.txt': Buffer.from('version 3\n'.repeat(500)) });
    const third = await runPolicy(policyId);
    const thirdHashes = treeHashes(dir);
    const pruneStarted = await api<{ jobId: string }>(stack.platform, 'POST', '/prune', { maxUnusedPercent: 0 });
    expect(pruneStarted.status).toBe(202);
    const pruned = await finished(pruneStarted.body.jobId, 180_000);
    expect(pruned.status, pruned.error ?? '').toBe('completed');
    const moved = await expectReportMatchesStore();
    expect(moved.generations[0]).toMatchObject({ generation: 1, packs: 0, bytes: 0 });
    expect(moved.generations[1].packs).toBeGreaterThan(0);
    await expectRestoresAs(second, secondHashes);
    await expectRestoresAs(third, thirdHashes);
    await expectCleanCheck();

    // A second rotation, then a re-seal: every pack still under generation 2 is rewritten under 3.
    expect(JSON.parse((await arca(url, ['keys', 'master', 'rotate', '--json'])).stdout)).toMatchObject({ generation: 3, previous: 2 });
    const resealed = await arcaStatus(url, ['keys', 'master', 'reseal', '--json']);
    expect(resealed.code, resealed.stderr).toBe(0);
    expect((JSON.parse(resealed.stdout) as Job).status).toBe('completed');
    const final = await expectReportMatchesStore();
    expect(final.generations.map((g) => [g.generation, g.packs])).toEqual([[1, 0], [2, 0], [3, final.generations[2].packs]]);
    expect(final.generations[2].packs).toBeGreaterThan(0);
    expect(final.generations[2].nonces.sealed).toBeGreaterThan(0);
    await expectRestoresAs(second, secondHashes);
    await expectRestoresAs(third, thirdHashes);
    await expectCleanCheck();
  }, 600_000);
});
