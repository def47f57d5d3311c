import { makeEdgeCaseTree } from '@arca/datapath/src/testing/edge-case-tree';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createObjectStore, objectStoreConfigFromEnv } from '@arca/object-store';
import { testDatabaseUrl } from '@arca/persistence';
import { afterAll, describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { api, dropSchemas, startTestPlatform, TestPlatform, until } from './support/test-platform';

/**
 * The drill of issue 11: a site loses its object store and its database; a fresh platform on
 * the same schema names (now empty) and a rebuilt, empty primary bucket recovers everything from
 * the replica bucket and the passphrase alone.
 */
interface Snapshot { id: string; sourceId: string; policyId: string | null; heldAt: string | null; heldBy: string | null; holdReason: string | null; time: string; repositoryId?: string; stats: { bytesRead: number; bytesStored: number; files: number; newChunks: number; chunks: number } }

const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `arca-e2e-dr-${name}-`));
  dirs.push(dir);
  return dir;
};
let lost: TestPlatform | undefined;
let rebuilt: TestPlatform | undefined;

afterAll(async () => {
  await rebuilt?.destroy(); // the same data folder and schemas as the lost platform's
  if (!rebuilt) await lost?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function healthy(platform: TestPlatform): Promise<TestPlatform> {
  if (!(await platform.waitUntilHealthy(90_000))) throw new Error(`platform did not become healthy:\n${platform.logs.slice(-40).join('\n')}`);
  return platform;
}

/** One statement on the test database, as an operator's psql would run it. */
async function sql(text: string, values: unknown[] = []): Promise<void> {
  const pg = new Client({ connectionString: testDatabaseUrl() });
  await pg.connect();
  try {
    await pg.query(text, values);
  } finally {
    await pg.end();
  }
}

const snapshotsOf = async (platform: TestPlatform) => JSON.parse((await arca(platform.gatewayUrl, ['snapshots', '--json'])).stdout) as Snapshot[];

describe('disaster recovery from the replica alone', () => {
  it('rebuilds the catalogue and the dedupe index on an empty database from the replica bucket, restores every snapshot byte for byte, and dedupes new backups against it', async () => {
    lost = await healthy(await startTestPlatform());
    // Two sources, one backed up twice (the second time changed), with replication on.
    const first = tempDir('first');
    await makeEdgeCaseTree(first);
    const second = tempDir('second');
    writeFileSync(path.join(second, 'data.bin'), randomBytes(2 * 1024 * 1024));
    writeFileSync(path.join(second, 'notes.txt'), 'second source\n');
    const firstAsBackedUp = path.join(tempDir('copy'), 'first');
    const s1 = (await arca(lost.gatewayUrl, ['backup', first])).stdout.trim();
    cpSync(first, firstAsBackedUp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    // The second source through a policy, run twice: its retention (keepLast 1) forgets the first
    // run's snapshot. The policy comes back too, its snapshot names it, and the forgotten one stays forgotten.
    const policy = await api<{ id: string; version: number }>(lost, 'POST', '/policies', {
      name: 'second-nightly', source: { kind: 'directory', path: second }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 1 },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const runPolicy = async () => {
      const run = await until(async () => {
        const r = await api<{ jobId: string }>(lost!, 'POST', '/jobs', { policyId: policy.body.id });
        return r.status === 202 && r.body.jobId;
      }, 'the scheduler to accept a run of the policy');
      return until(async () => {
        const job = (await api<{ status: string; snapshotId: string | null; error: string | null }>(lost!, 'GET', `/jobs/${run}`)).body;
        if (job.status === 'failed') throw new Error(`the policy's backup failed: ${job.error}`);
        return job.status === 'completed' ? job.snapshotId ?? undefined : undefined;
      }, "the policy's backup", 60_000);
    };
    const forgotten = await runPolicy();
    const s2 = await runPolicy();
    await until(async () => !(await snapshotsOf(lost!)).some((s) => s.id === forgotten), "retention to forget the policy's first snapshot");
    writeFileSync(path.join(first, 'added.bin'), randomBytes(200_000));
    const s3 = (await arca(lost.gatewayUrl, ['backup', first])).stdout.trim();
    // A legal hold must survive the disaster too.
    await arca(lost.gatewayUrl, ['hold', s1, '--reason', 'case 4711']);
    const before = await snapshotsOf(lost);
    expect(before.find((s) => s.id === s1)).toMatchObject({ holdReason: 'case 4711' });
    expect(before.map((s) => s.id).sort()).toEqual([s1, s2, s3].sort());
    await until(async () => (await api<{ replication: { completed: number } }>(lost!, 'GET', '/reports/summary')).body.replication.completed >= 4 || undefined, 'the four snapshots at the replica', 60_000);

    // The disaster: the primary bucket and every Arca schema are gone.
    await lost.stop();
    rmSync(path.join(lost.dataDir, 's3-primary'), { recursive: true, force: true });
    await dropSchemas(lost.schemaPrefix);

    // A fresh platform: empty schemas, an empty primary bucket, the replica as it was.
    rebuilt = await healthy(await startTestPlatform({}, { dataDir: lost.dataDir, schemaPrefix: lost.schemaPrefix }));
    expect(await snapshotsOf(rebuilt)).toEqual([]);
    // Objects in the replica's bucket that are not this repository's (a stranger's manifest, a pack that does not open) are left out and named.
    const replicaBucket = createObjectStore(objectStoreConfigFromEnv(rebuilt.env, 'REPLICA_'));
    await replicaBucket.put(`snapshots/${'d'.repeat(64)}`, randomBytes(300));
    await replicaBucket.put(`data/dd/${'d'.repeat(64)}`, randomBytes(1000));

    const started = Date.now();
    const recover = await arcaStatus(rebuilt.gatewayUrl, ['repository', 'recover', '--from', 'replica']);
    const recoverMs = Date.now() - started;
    expect(recover.code, recover.stderr).toBe(0);
    expect(recover.stdout).toMatch(/4 snapshot\(s\)/);
    expect(recover.stdout).toMatch(/^left out: 1 manifest\(s\), 1 pack\(s\)$/m);
    expect(recover.stdout).toContain(`snapshots/${'d'.repeat(64)}: manifest not recovered`);
    expect(recover.stdout).toContain(`data/dd/${'d'.repeat(64)}: pack header unreadable`);
    console.log(`[disaster-recovery] recover --from replica took ${recoverMs} ms: ${recover.stdout.trim().replace(/\n/g, ' | ')}`);

    // The catalogue is what it was: the same snapshots, sources, policies, times, figures and holds.
    const after = await snapshotsOf(rebuilt);
    const view = (list: Snapshot[]) => list.map((s) => ({ id: s.id, sourceId: s.sourceId, policyId: s.policyId, time: s.time, stats: s.stats, heldAt: s.heldAt, heldBy: s.heldBy, holdReason: s.holdReason })).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(view(after)).toEqual(view(before));

    expect(after.find((s) => s.id === s2)).toMatchObject({ policyId: policy.body.id });
    const gone = await api<{ message: string }>(rebuilt, 'GET', `/snapshots/${forgotten}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toMatch(/was forgotten on .*retention/);
    expect(recover.stdout).toMatch(/1 policy restored/);
    const policies = await api<Array<{ id: string; name: string; version: number; source: unknown }>>(rebuilt, 'GET', '/policies');
    expect(policies.body.map((p) => ({ id: p.id, name: p.name, version: p.version, source: p.source }))).toEqual([{ id: policy.body.id, name: 'second-nightly', version: policy.body.version, source: { kind: 'directory', path: second } }]);

        // A second recovery refuses: the catalogue has snapshots now.
    const again = await arcaStatus(rebuilt.gatewayUrl, ['repository', 'recover', '--from', 'replica']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/holds 4 snapshot\(s\) already.*merge/);
    // Part of the database lost again (one snapshot's row, the whole dedupe index): a merge from the
    // primary bucket, which the recovery refilled, adds back what is missing and keeps the rest.
    await sql(`DELETE FROM "${rebuilt.schemaPrefix}_ingest".snapshots WHERE id = $1`, [s3]);
    await sql(`DELETE FROM "${rebuilt.schemaPrefix}_dedupe_index".chunk_locations`);
    await sql(`DELETE FROM "${rebuilt.schemaPrefix}_dedupe_index".packs`);
    const merge = JSON.parse((await arca(rebuilt.gatewayUrl, ['repository', 'recover', '--merge', '--json'])).stdout) as { jobId: string; stats: { snapshotsRecovered: number; snapshotsKept: number; packsRecovered: number; objectsCopied: number } };
    expect(merge.stats).toMatchObject({ snapshotsRecovered: 1, snapshotsKept: 3, objectsCopied: 0 });
    expect(merge.stats.packsRecovered).toBeGreaterThanOrEqual(6);
    expect(view(await snapshotsOf(rebuilt))).toEqual(view(before));
    // A job like the others: its events in order, one trace.
    const job = (await api<{ kind: string; status: string; traceId: string | null; timeline: Array<{ type: string; service: string }> }>(rebuilt, 'GET', `/jobs/${merge.jobId}`)).body;
    expect(job).toMatchObject({ kind: 'recover', status: 'completed' });
    expect(job.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(job.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['recover.requested', 'recover.started', 'recover.progress', 'recover.completed']));
    expect(job.timeline.map((e) => e.type).at(-1)).toBe('recover.completed');

    // Every snapshot restores byte for byte (from the primary, which the recovery made whole again).
    for (const [snapshot, source] of [[s1, firstAsBackedUp], [s2, second], [s3, first]] as const) {
      const target = path.join(tempDir('restore'), 'out');
      const restored = await arcaStatus(rebuilt.gatewayUrl, ['restore', snapshot, '--target', target]);
      expect(restored.code, restored.stderr).toBe(0);
      execFileSync('diff', ['-r', '--no-dereference', source, target]);
    }

    // A new backup dedupes against the recovered index: an unchanged source stores no new chunk.
    const s4 = (await arca(rebuilt.gatewayUrl, ['backup', second])).stdout.trim();
    const fresh = (await snapshotsOf(rebuilt)).find((s) => s.id === s4)!;
    expect(fresh.stats.bytesRead).toBe(before.find((s) => s.id === s2)!.stats.bytesRead);
    expect(fresh.stats.newChunks).toBe(0);

    // Storage accounting came back: the packs, and every live snapshot (the three recovered and the new one).
    const usage = await until(async () => {
      const u = (await api<{ usage: { repository: { packs: number; snapshots: number } } }>(rebuilt!, 'GET', '/reports/summary')).body.usage.repository;
      return u.snapshots === before.length + 1 && u;
    }, 'storage to account the recovered snapshots');
    expect(usage.packs).toBeGreaterThan(0);

    // Another repository's snapshot in the same database (a shared schema) is neither listed nor checked.
    await sql(`INSERT INTO "${rebuilt.schemaPrefix}_ingest".snapshots (id, repository_id, tenant, time, source_kind, source_id, hostname, job_id, manifest_key, stats)
      VALUES ($1, $2, 'default', now(), 'directory', '/elsewhere', 'other', $3, $4, '{}')`, ['e'.repeat(64), 'f'.repeat(32), '00000000-0000-4000-8000-000000000000', `snapshots/${'e'.repeat(64)}`]);
    expect((await snapshotsOf(rebuilt)).map((s) => s.id)).not.toContain('e'.repeat(64));
    const check = await arcaStatus(rebuilt.gatewayUrl, ['check']);
    expect(check.stdout).toMatch(/^no damage found/m);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  }, 240_000);
});
