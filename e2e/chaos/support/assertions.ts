/**
 * The chaos suite's five assertions (issue 8), as functions every fault case calls:
 * 1. `waitTerminal`: the job ends completed or failed with a reason within a stated time;
 * 2. `expectBackupCompletes` + `expectCheckClean`: a retried backup completes and `arca check` is clean;
 * 3. `expectRestoresByteForByte`: every snapshot reported complete restores byte for byte;
 * 4. `expectStoreConsistent`: no referenced chunk is missing (the check reads every one) and the
 *    dedupe index names no pack the object store lacks;
 * 5. `expectKafkaStory`: every backup.completed names a snapshot that exists, and each job has
 *    exactly one terminal event.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Client as Minio } from 'minio';
import path from 'node:path';
import { Client } from 'pg';
import { expect } from 'vitest';
import { testDatabaseUrl } from '@arca/persistence';
import { S3RVER_CREDENTIALS } from '@arca/s3-dev';
import { arcaStatus } from '../../src/support/cli';
import { api, until } from '../../src/support/test-platform';
import type { ChaosPlatform } from './chaos-platform';
import { hashTree } from './dataset';

export interface Job {
  jobId: string;
  kind: string;
  status: string;
  error?: string;
  snapshotId?: string;
  progress?: { bytesRead?: number; files?: number };
  stats?: Record<string, unknown> & { failedFiles?: Array<{ path: string; reason: string }>; bytesStored?: number };
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export async function getJob(chaos: ChaosPlatform, jobId: string): Promise<Job | undefined> {
  const { status, body } = await api<Job>(chaos.platform, 'GET', `/jobs/${jobId}`);
  return status === 200 ? body : undefined;
}

/** Starts a directory backup through the gateway; retries while the platform is recovering. */
export async function startBackup(chaos: ChaosPlatform, source: string, bandwidthLimitBytesPerSec?: number): Promise<string> {
  return until(async () => {
    const { status, body } = await api<{ jobId: string }>(chaos.platform, 'POST', '/jobs', { source: { kind: 'directory', path: source }, ...(bandwidthLimitBytesPerSec ? { bandwidthLimitBytesPerSec } : {}) });
    return status === 202 && body.jobId;
  }, 'the gateway to accept a backup', 60_000, 500);
}

export async function startRestore(chaos: ChaosPlatform, snapshotId: string, target: string): Promise<string> {
  return until(async () => {
    const { status, body } = await api<{ jobId: string }>(chaos.platform, 'POST', `/snapshots/${snapshotId}/restore`, { target });
    return status === 202 && body.jobId;
  }, 'the gateway to accept a restore', 60_000, 500);
}

/** Waits until the job is running and `ready(job)` says the moment has come (e.g. enough bytes read). */
export async function waitRunning(chaos: ChaosPlatform, jobId: string, ready: (job: Job) => boolean = () => true, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(chaos, jobId).catch(() => undefined);
    if (job && TERMINAL.has(job.status)) throw new Error(`job ${jobId} ended (${job.status}) before the fault could strike`);
    if (job?.status === 'running' && ready(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} was not running within ${timeoutMs / 1000} s (last: ${job?.status})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Assertion 1: the job ends within `withinMs`, completed, or failed/cancelled with a reason; never left running. */
export async function waitTerminal(chaos: ChaosPlatform, jobId: string, withinMs: number): Promise<Job & { waitedMs: number }> {
  const started = Date.now();
  let last: Job | undefined;
  try {
    await until(async () => {
      last = await getJob(chaos, jobId);
      return last !== undefined && TERMINAL.has(last.status);
    }, `job ${jobId} to end`, withinMs, 250);
  } catch {
    throw new Error(`job ${jobId} did not end within ${withinMs / 1000} s: still ${last?.status ?? 'unknown'}\n${chaos.platform.logs.slice(-30).join('\n')}`);
  }
  const job = last!;
  if (job.status !== 'completed') expect(job.error, `job ${jobId} ended ${job.status} without a reason`).toMatch(/\S/);
  return { ...job, waitedMs: Date.now() - started };
}

/** Assertion 2, first half: a backup of `source` started now completes. Returns its job (with snapshotId). */
export async function expectBackupCompletes(chaos: ChaosPlatform, source: string, withinMs = 120_000): Promise<Job> {
  const jobId = await startBackup(chaos, source);
  const job = await waitTerminal(chaos, jobId, withinMs);
  expect(job.status, job.error).toBe('completed');
  expect(job.snapshotId).toMatch(/^[0-9a-f]{64}$/);
  return job;
}

export interface CheckResult { unreferencedPacks: number; unreferencedBytes: number }

/** Assertion 2, second half, and 4a: `arca check` (every pack, every chunk) finds no damage and exits 0. */
export async function expectCheckClean(chaos: ChaosPlatform): Promise<CheckResult> {
  const result = await arcaStatus(chaos.platform.gatewayUrl, ['check', '--json']);
  expect(result.code, result.stderr).toBe(0);
  const job = JSON.parse(result.stdout) as Job & { stats: { damaged: unknown[]; unreferenced?: { count: number; bytes: number } } };
  expect(job.status).toBe('completed');
  expect(job.stats.damaged).toEqual([]);
  return { unreferencedPacks: job.stats.unreferenced?.count ?? 0, unreferencedBytes: job.stats.unreferenced?.bytes ?? 0 };
}

/** Restores a snapshot into a new folder and returns the job and the hashes of what landed there. */
export async function restoreAndHash(chaos: ChaosPlatform, snapshotId: string, withinMs = 120_000): Promise<{ job: Job; hashes: Record<string, string>; target: string }> {
  const target = path.join(chaos.tempDir('restore'), 'out');
  const job = await waitTerminal(chaos, await startRestore(chaos, snapshotId, target), withinMs);
  return { job, hashes: await hashTree(target).catch(() => ({})), target };
}

/** Assertion 3: the snapshot restores completely and every file's SHA-256 equals what was backed up. */
export async function expectRestoresByteForByte(chaos: ChaosPlatform, snapshotId: string, expected: Record<string, string>): Promise<void> {
  const { job, hashes } = await restoreAndHash(chaos, snapshotId);
  expect(job.status, job.error).toBe('completed');
  expect(job.stats?.failedFiles ?? []).toEqual([]);
  expect(Object.keys(hashes).length).toBe(Object.keys(expected).length);
  expect(hashes).toEqual(expected);
}

/** The snapshots the catalogue lists (id and job). */
export async function listSnapshots(chaos: ChaosPlatform): Promise<Array<{ id: string; jobId: string }>> {
  const { status, body } = await api<Array<{ id: string; jobId: string }>>(chaos.platform, 'GET', '/snapshots');
  expect(status).toBe(200);
  return body;
}

function directS3(chaos: ChaosPlatform): Minio {
  return new Minio({ endPoint: '127.0.0.1', port: chaos.s3Direct.port, useSSL: false, accessKey: S3RVER_CREDENTIALS.accessKey, secretKey: S3RVER_CREDENTIALS.secretKey });
}

async function listKeys(chaos: ChaosPlatform, prefix: string): Promise<Set<string>> {
  const keys = new Set<string>();
  const stream = directS3(chaos).listObjectsV2(chaos.platform.env.S3_BUCKET ?? 'arca', prefix, true);
  for await (const item of stream as AsyncIterable<{ name?: string }>) if (item.name) keys.add(item.name);
  return keys;
}

/** Runs one query on the platform's dedupe index (`$schema` stands for its schema), read straight from Postgres. */
async function queryIndex<T extends object>(chaos: ChaosPlatform, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql.replaceAll('$schema', `"${chaos.platform.schemaPrefix}_dedupe_index"`))).rows;
  } finally {
    await client.end();
  }
}

/** The packs the dedupe index holds now, each with the chunks it holds and the chunk rows that place a chunk in it. */
export async function indexedPacks(chaos: ChaosPlatform): Promise<Map<string, { chunks: number; rows: number }>> {
  const rows = await queryIndex<{ key: string; chunk_count: number; rows: string }>(chaos,
    `SELECT p.key, p.chunk_count, (SELECT count(*) FROM $schema.chunk_locations c WHERE c.pack_key = p.key) AS rows FROM $schema.packs p`);
  return new Map(rows.map((r) => [r.key, { chunks: Number(r.chunk_count), rows: Number(r.rows) }]));
}

/**
 * A job taken over reuses what its killed run registered: no pack stored after `before` (the
 * index's packs when the run was killed) holds a chunk the index already placed elsewhere. A pack
 * holding such a chunk has fewer chunk rows than chunks (a chunk indexed in a live pack keeps
 * its row there).
 */
export async function expectRegisteredPacksReused(chaos: ChaosPlatform, before: Map<string, unknown>): Promise<{ registeredBefore: number; storedAfter: number }> {
  const now = await indexedPacks(chaos);
  const storedAgain = [...now].filter(([key, p]) => !before.has(key) && p.rows < p.chunks).map(([key, p]) => `${key}: ${p.chunks - p.rows} of its ${p.chunks} chunks were indexed already`);
  expect(storedAgain, 'packs stored after the kill holding chunks the index already had').toEqual([]);
  return { registeredBefore: before.size, storedAfter: now.size - before.size };
}

/** Assertion 4b: every pack the dedupe index names (its pack rows and its chunk rows) is in the object store. */
export async function expectStoreConsistent(chaos: ChaosPlatform): Promise<{ packsIndexed: number; packsStored: number }> {
  const stored = await listKeys(chaos, 'data/');
  const indexed = (await queryIndex<{ key: string }>(chaos,
    `SELECT key FROM $schema.packs WHERE state <> 'deleting' UNION SELECT DISTINCT pack_key FROM $schema.chunk_locations`,
  )).map((r) => r.key);
  const missing = indexed.filter((key) => !stored.has(key));
  expect(missing, 'packs the dedupe index names that the object store lacks').toEqual([]);
  return { packsIndexed: indexed.length, packsStored: stored.size };
}

interface Envelope { eventId: string; type: string; jobId?: string; payload: { jobId?: string; snapshotId?: string } }

/** Every message of the topics, from the beginning up to their current ends (read with kafkajs, as any subscriber would). */
export async function readTopics(chaos: ChaosPlatform, topics: string[]): Promise<Envelope[]> {
  const kafka = new Kafka({ clientId: 'arca-chaos-audit', brokers: [`127.0.0.1:${chaos.brokerPort}`], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((t) => existing.has(t))) {
      for (const p of await admin.fetchTopicOffsets(topic)) if (Number(p.high) > 0) ends.set(`${topic}:${p.partition}`, Number(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];
  const messages: Envelope[] = [];
  const consumer = kafka.consumer({ groupId: `arca-chaos-audit-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set([...ends.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topics.join(', ')} did not reach their ends: ${[...ends.keys()].join(', ')} left`)), 60_000);
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          if (message.value) messages.push(JSON.parse(message.value.toString()) as Envelope);
          const key = `${topic}:${partition}`;
          if (ends.has(key) && Number(message.offset) + 1 >= ends.get(key)!) ends.delete(key);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

const BACKUP_TERMINAL = ['backup.completed', 'backup.failed', 'backup.cancelled'];
const RESTORE_TERMINAL = ['restore.completed', 'restore.failed'];

/**
 * Assertion 5: every backup.completed names a snapshot the catalogue and the object store hold,
 * each job of `jobIds` has exactly one terminal event (counted by eventId: Kafka delivers at least
 * once, and consumers drop a repeated eventId), and that event agrees with the job's status.
 */
export async function expectKafkaStory(chaos: ChaosPlatform, jobIds: { backups: string[]; restores?: string[] }): Promise<void> {
  const events = await readTopics(chaos, [...BACKUP_TERMINAL, ...RESTORE_TERMINAL]);
  const manifests = await listKeys(chaos, 'snapshots/');
  for (const event of events.filter((e) => e.type === 'backup.completed')) {
    const snapshotId = event.payload.snapshotId!;
    expect(manifests.has(`snapshots/${snapshotId}`), `backup.completed of job ${event.payload.jobId} names snapshot ${snapshotId}, whose manifest is not stored`).toBe(true);
    const { status } = await api(chaos.platform, 'GET', `/snapshots/${snapshotId}`);
    expect(status, `backup.completed names snapshot ${snapshotId}, which the catalogue does not know`).toBe(200);
  }
  const check = async (jobId: string, types: string[]) => {
    const terminal = new Map(events.filter((e) => types.includes(e.type) && (e.payload.jobId ?? e.jobId) === jobId).map((e) => [e.eventId, e]));
    expect([...terminal.values()].map((e) => e.type), `terminal events of job ${jobId}`).toHaveLength(1);
    const job = await getJob(chaos, jobId);
    expect([...terminal.values()][0].type.split('.')[1]).toBe(job?.status);
  };
  for (const jobId of jobIds.backups) await check(jobId, BACKUP_TERMINAL);
  for (const jobId of jobIds.restores ?? []) await check(jobId, RESTORE_TERMINAL);
}
