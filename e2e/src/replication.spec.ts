import { TOPICS } from '@arca/contracts';
import { makeEdgeCaseTree } from '@arca/datapath/src/testing/edge-case-tree';
import { HttpFaultProxy } from '@arca/fault-proxy';
import { createObjectStore, ObjectStore } from '@arca/object-store';
import { DevS3, S3RVER_CREDENTIALS, startS3rver } from '@arca/s3-dev';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * The replica site is an s3rver of this file's own behind an HTTP fault proxy
 * (infra/fault-proxy), so a case can make it refuse every request and let it recover without
 * the launcher restarting anything. Retries back off from 200 ms to 1 s here, so a recovery is
 * seen within a second or so.
 */
const REPLICA_BUCKET = 'arca-replica';
let replicaRoot: string;
let replicaS3: DevS3;
let replicaProxy: HttpFaultProxy;
let replicaDirect: ObjectStore;
let consumer: Consumer;
interface ReplicationEvent { eventId: string; type: string; payload: { snapshotId: string; site: string; reason?: string; attempt?: number; attempts?: number; failingSince?: string } }
const events: ReplicationEvent[] = [];

beforeAll(async () => {
  replicaRoot = mkdtempSync(path.join(os.tmpdir(), 'arca-e2e-replica-'));
  replicaS3 = await startS3rver({ port: 0, dataDir: replicaRoot, buckets: [REPLICA_BUCKET] });
  replicaProxy = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: replicaS3.port } });
  replicaDirect = createObjectStore({ driver: 's3', s3: { endpoint: replicaS3.endpoint, accessKey: S3RVER_CREDENTIALS.accessKey, secretKey: S3RVER_CREDENTIALS.secretKey, bucket: REPLICA_BUCKET, region: 'us-east-1' } });
});

const stack = usePlatform(() => ({
  REPLICA_OBJECT_STORE: 's3', REPLICA_S3_ENDPOINT: `http://127.0.0.1:${replicaProxy.port}`, REPLICA_S3_BUCKET: REPLICA_BUCKET,
  REPLICA_S3_ACCESS_KEY: S3RVER_CREDENTIALS.accessKey, REPLICA_S3_SECRET_KEY: S3RVER_CREDENTIALS.secretKey,
  REPLICATION_RETRY_FIRST_MS: '200', REPLICATION_RETRY_MAX_MS: '1000',
}));
const tempDir = (name: string) => stack.tempDir(name);

beforeAll(async () => {
  const kafka = new Kafka({ clientId: 'e2e-replication', brokers: [stack.platform.env.KAFKA_BROKERS!], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPICS.replicationFailed }, { topic: TOPICS.replicationCompleted }] });
  await admin.disconnect();
  consumer = kafka.consumer({ groupId: `e2e-replication-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.replicationFailed, TOPICS.replicationCompleted], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { events.push(JSON.parse(message.value!.toString()) as ReplicationEvent); } });
}, 30_000);

afterAll(async () => {
  replicaProxy?.setMode({ kind: 'pass' });
  await consumer?.disconnect();
  await Promise.all([replicaProxy?.close(), replicaS3?.close()]);
  rmSync(replicaRoot, { recursive: true, force: true });
}, 30_000);

/** Kafka delivers at least once: events of a topic counted by eventId. */
function eventsOf(type: string, snapshotIds?: string[]): ReplicationEvent[] {
  const seen = new Map<string, ReplicationEvent>();
  for (const e of events) if (e.type === type && (!snapshotIds || snapshotIds.includes(e.payload.snapshotId))) seen.set(e.eventId, e);
  return [...seen.values()];
}

const completedFor = (snapshotId: string) => until(() => eventsOf(TOPICS.replicationCompleted, [snapshotId])[0], `replication.completed of ${snapshotId}`, 30_000, 100);

interface SiteLag { site: string; lagSeconds: number; bytesPending: number; snapshotsPending: number; failingSince: string | null }
const sites = async () => (await api<{ replication: { sites: SiteLag[] | null } }>(stack.platform, 'GET', '/reports/summary')).body.replication.sites ?? [];

/** A directory of fresh bytes, backed up by hand; its snapshot id. */
async function backUpFresh(name: string): Promise<string> {
  const dir = tempDir(name);
  writeFileSync(path.join(dir, 'data.bin'), randomBytes(200 * 1024));
  return (await arca(stack.platform.gatewayUrl, ['backup', dir])).stdout.trim();
}

/** Runs a policy now (the scheduler learns of a new policy a moment after it is created); the snapshot of its completed job. */
async function runPolicyNow(policyId: string): Promise<string> {
  const jobId = await until(async () => {
    const r = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { policyId });
    return r.status === 202 && r.body.jobId;
  }, `a run of policy ${policyId}`);
  return until(async () => {
    const job = (await api<{ status: string; snapshotId: string | null; error: string | null }>(stack.platform, 'GET', `/jobs/${jobId}`)).body;
    if (job.status === 'failed') throw new Error(`job ${jobId} failed: ${job.error}`);
    return (job.status === 'completed' && job.snapshotId) || undefined;
  }, `job ${jobId} to complete`);
}

describe('what a policy says is copied', () => {
  it('copies a policy that does not say and one that names the site, not one with replicate: false', async () => {
    const created: Record<string, string> = {};
    for (const [name, extra] of Object.entries({ kept: { replicate: false }, copied: {}, named: { replicate: true, replicaSites: ['replica'] } })) {
      const dir = tempDir(name);
      writeFileSync(path.join(dir, `${name}.bin`), randomBytes(64 * 1024));
      const r = await api<{ id: string }>(stack.platform, 'POST', '/policies', {
        name, source: { kind: 'directory', path: dir }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 5 }, ...extra,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      created[name] = r.body.id;
    }
    const bad = await api<{ message: string[] }>(stack.platform, 'POST', '/policies', {
      name: 'bad', source: { kind: 'directory', path: '/tmp' }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 60, retention: { keepLast: 1 }, replicaSites: ['no spaces'],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/replicaSites: each site name must be 1-64 letters/);

    const kept = await runPolicyNow(created.kept);
    const copied = await runPolicyNow(created.copied);
    const named = await runPolicyNow(created.named);
    await completedFor(copied);
    await completedFor(named);
    // Nothing is left pending: the kept policy's snapshot was decided (skipped), not merely not copied yet.
    await until(async () => (await sites()).every((s) => s.snapshotsPending === 0), 'no copy pending');
    expect(eventsOf(TOPICS.replicationCompleted, [kept])).toEqual([]);
    expect(await replicaDirect.stat(`snapshots/${kept}`)).toBeNull();
    expect(await replicaDirect.stat(`snapshots/${copied}`)).not.toBeNull();
  });
});

describe('a replica that refuses writes, then recovers', () => {
  it('publishes one replication.failed per failure episode, keeps the copies across a restart of replication, and completes them', async () => {
    replicaProxy.setMode({ kind: 'http-error', share: 1, statuses: [403] });
    const first = await backUpFresh('outage-1a');
    const failed = await until(() => eventsOf(TOPICS.replicationFailed, [first])[0], `replication.failed of ${first}`, 30_000, 100);
    expect(failed.payload).toMatchObject({ site: 'replica', attempt: 1 });
    expect(failed.payload.reason).toMatch(/copying snapshot [0-9a-f]{64} to replica .*failed: .*(AccessDenied|Access Denied|403)/);
    const second = await backUpFresh('outage-1b'); // a second snapshot in the same episode

    // The copies are in the queue, not in the process: kill replication and let the launcher restart it.
    const killed = stack.platform.pids().replication;
    process.kill(killed, 'SIGKILL');
    // Meanwhile the summary still answers, saying what it lacks.
    const degraded = await until(async () => {
      const r = await api<{ replication: { sites: SiteLag[] | null; sitesError?: string } }>(stack.platform, 'GET', '/reports/summary');
      return r.status === 200 && r.body.replication.sites === null && r.body.replication;
    }, 'the summary without the replication service', 10_000, 100);
    expect(degraded.sitesError).toMatch(/the replication service is unavailable/);
    await until(() => stack.platform.pids().replication !== killed && stack.platform.logs.some((l) => /replication exited \(SIGKILL\); restarting it/.test(l)), 'replication to be restarted', 30_000);
    // Lag while the site refuses: both snapshots pending, their bytes, and the episode's start.
    const lagging = await until(async () => {
      const site = (await sites()).find((s) => s.site === 'replica');
      return site && site.snapshotsPending === 2 && site.lagSeconds >= 1 && site;
    }, 'the lag of two pending snapshots', 30_000);
    expect(lagging.bytesPending).toBeGreaterThan(2 * 200 * 1024);
    expect(lagging.failingSince).not.toBeNull();
    const metrics = await until(async () => {
      const text = await (await fetch(`http://127.0.0.1:${stack.platform.env.REPLICATION_PORT}/metrics`)).text().catch(() => '');
      return /arca_replication_queue_pending_snapshots\{[^}]*site="replica"[^}]*\} 2/.test(text) && text;
    }, 'the pending snapshots on /metrics', 15_000);
    // The second snapshot's copy failed too (after the restart), in the same episode: logged, not announced.
    await until(() => stack.platform.logs.some((l) => l.startsWith('[replication]') && l.includes(`copying snapshot ${second}`) && l.includes('failed')), `a failed copy of ${second}`, 15_000, 100);
    expect(metrics).toMatch(/arca_replication_queue_lag_seconds\{[^}]*site="replica"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/arca_replication_queue_pending_bytes\{[^}]*site="replica"[^}]*\} [1-9]/);

    replicaProxy.setMode({ kind: 'pass' });
    const [done1, done2] = [await completedFor(first), await completedFor(second)];
    expect(done1.payload.attempts).toBeGreaterThan(1);
    expect(done2.payload.attempts).toBeGreaterThan(1);
    expect(eventsOf(TOPICS.replicationFailed, [first, second])).toHaveLength(1);

    // A second episode: announced once more, and over once its copy lands.
    replicaProxy.setMode({ kind: 'http-error', share: 1, statuses: [403] });
    const third = await backUpFresh('outage-2');
    await until(() => eventsOf(TOPICS.replicationFailed, [third])[0], `replication.failed of ${third}`, 30_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // a few retries, none announced
    replicaProxy.setMode({ kind: 'pass' });
    await completedFor(third);
    expect(eventsOf(TOPICS.replicationFailed, [first, second, third])).toHaveLength(2);
    for (const id of [first, second, third]) expect(await replicaDirect.stat(`snapshots/${id}`)).not.toBeNull();
    const caughtUp = (await sites()).find((s) => s.site === 'replica')!;
    expect(caughtUp).toMatchObject({ snapshotsPending: 0, bytesPending: 0, lagSeconds: 0, failingSince: null });
  });
});

describe('a verify pass over the replica', () => {
  it("reads back the replica's packs and names a damaged one, which the primary's check does not see", async () => {
    const clean = await arcaStatus(stack.platform.gatewayUrl, ['check', '--site', 'replica']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).toMatch(/checked [1-9]\d* packs \(100%\) at the replica site/);
    expect(clean.stdout).toMatch(/no damage found/);

    // A flipped byte inside the first sealed chunk of one data pack the replica holds (s3rver keeps objects as files).
    const [pack] = readdirSync(replicaRoot, { recursive: true, encoding: 'utf8' })
      .filter((f) => /data\/[0-9a-f]{2}\/[0-9a-f]{64}\._S3rver_object$/.test(f.split(path.sep).join('/')))
      .map((f) => path.join(replicaRoot, f)).filter((f) => statSync(f).size >= 100_000);
    const bytes = readFileSync(pack);
    bytes[30] ^= 0xff;
    writeFileSync(pack, bytes);
    const packKey = /(data\/[0-9a-f]{2}\/[0-9a-f]{64})\._S3rver_object$/.exec(pack.split(path.sep).join('/'))![1];

    const damaged = await arcaStatus(stack.platform.gatewayUrl, ['check', '--site', 'replica']);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toContain(`in ${packKey}`);
    expect(damaged.stderr).toMatch(/damaged chunk\(s\) affecting 1 snapshot\(s\)/);
    expect((await arcaStatus(stack.platform.gatewayUrl, ['check'])).code).toBe(0);
    const repair = await api<{ message: string[] }>(stack.platform, 'POST', '/check', { site: 'replica', repair: true });
    expect(repair.status).toBe(400);
    expect(repair.body.message).toEqual(['repair works on the primary site only; check the replica without repair']);
    writeFileSync(pack, (bytes[30] ^= 0xff, bytes)); // sound again, for the disaster below
  });
});

describe('replication to a second site', () => {
  it('copies each snapshot to the replica, which restores it when the primary has lost its data', async () => {
    const source = tempDir('src');
    await makeEdgeCaseTree(source);
    const snapshot = (await arca(stack.platform.gatewayUrl, ['backup', source])).stdout.trim();

    const summary = await until(async () => {
      const r = await api<{ replication: { completed: number; maxLagMs: number | null } }>(stack.platform, 'GET', '/reports/summary');
      return eventsOf(TOPICS.replicationCompleted, [snapshot]).length > 0 && r.body.replication.completed >= 1 ? r.body.replication : undefined;
    }, 'replication.completed for the snapshot');
    expect(summary.maxLagMs).not.toBeNull();

    // Disaster at the primary site: its packs and manifests are gone (s3rver keeps objects as files).
    const primaryBucket = path.join(stack.platform.dataDir, 's3-primary', 'arca');
    for (const prefix of ['data', 'snapshots']) rmSync(path.join(primaryBucket, prefix), { recursive: true, force: true });
    expect(existsSync(path.join(primaryBucket, 'data'))).toBe(false);

    const fromPrimary = await arcaStatus(stack.platform.gatewayUrl, ['restore', snapshot, '--target', path.join(tempDir('lost'), 'out')]);
    expect(fromPrimary.code).toBe(1);
    expect(fromPrimary.stderr).toMatch(/not found/);

    const target = path.join(tempDir('dr'), 'out');
    const fromReplica = await arcaStatus(stack.platform.gatewayUrl, ['restore', snapshot, '--target', target, '--from', 'replica']);
    expect(fromReplica.code, fromReplica.stderr).toBe(0);
    execFileSync('diff', ['-r', '--no-dereference', source, target]);
  });
});
