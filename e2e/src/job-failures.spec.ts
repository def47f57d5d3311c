import { TOPICS } from '@arca/contracts';
import { HttpFaultProxy } from '@arca/fault-proxy';
import { DevS3, S3RVER_CREDENTIALS, startS3rver } from '@arca/s3-dev';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arcaStatus } from './support/cli';
import { CollectedSpan, exportTo, OtlpCollector, startOtlpCollector } from './support/otlp-collector';
import { api, freePort, startTestPlatform, TestPlatform, until } from './support/test-platform';

/**
 * Backups that fail at each stage of the data path — the source (ingest reads it), the dedupe
 * index (ingest asks it), the object store (ingest writes packs) — and what an SRE finds for each:
 * the job's trace exported with an ERROR span in the failing service, recording the cause; the
 * backup.failed event on Kafka carrying that trace's context; GET /jobs/{id} (and `arca jobs show`)
 * naming the trace, the failing service, the stage and the cause, with the job's timeline; and
 * ingest's log line about it, JSON with the job's id and its trace and span ids.
 *
 * The dedupe index and S3 sit behind HTTP fault proxies (infra/fault-proxy), so a case can take
 * one away without the launcher restarting anything. A wrong passphrase is not a job failure:
 * ingest refuses to start with it, before any job runs, so it has no case here.
 */
const TRACE_URL_TEMPLATE = 'http://localhost:16686/trace/{traceId}';
let collector: OtlpCollector;
let s3Direct: DevS3;
let s3: HttpFaultProxy;
let dedupe: HttpFaultProxy;
let platform: TestPlatform;
let consumer: Consumer;
const failedEvents: Array<{ jobId: string; headers: Record<string, string> }> = [];
const dirs: string[] = [];

interface JobView {
  status: string;
  error: string | null;
  attempt: number;
  traceId: string | null;
  traceUrl: string | null;
  failure: { service: string; stage: string; error: string } | null;
  timeline: Array<{ type: string; service: string; stage: string; at: string; durationMs: number | null; traceId: string | null }>;
}

beforeAll(async () => {
  collector = await startOtlpCollector();
  const root = mkdtempSync(path.join(os.tmpdir(), 'arca-failures-'));
  dirs.push(root);
  s3Direct = await startS3rver({ port: 0, dataDir: path.join(root, 's3') });
  s3 = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: s3Direct.port } });
  const dedupePort = await freePort();
  dedupe = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: dedupePort } });
  platform = await startTestPlatform({
    ...exportTo(collector),
    TRACE_URL_TEMPLATE,
    S3_ENDPOINT: `http://127.0.0.1:${s3.port}`, S3_ACCESS_KEY: S3RVER_CREDENTIALS.accessKey, S3_SECRET_KEY: S3RVER_CREDENTIALS.secretKey,
    OBJECT_STORE: 's3', REPLICA_OBJECT_STORE: 'fs', REPLICA_OBJECT_STORE_DIR: path.join(root, 'replica'),
    DEDUPE_INDEX_PORT: String(dedupePort), DEDUPE_INDEX_URL: `http://127.0.0.1:${dedupe.port}`,
  });
  if (!(await platform.waitUntilHealthy(90_000))) throw new Error(`platform did not become healthy:\n${platform.logs.slice(-40).join('\n')}`);
  const kafka = new Kafka({ clientId: 'e2e-failures', brokers: [platform.env.KAFKA_BROKERS!], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPICS.backupFailed }] });
  await admin.disconnect();
  consumer = kafka.consumer({ groupId: `e2e-failures-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.backupFailed], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString() ?? '{}') as { payload?: { jobId?: string } };
      failedEvents.push({ jobId: event.payload?.jobId ?? '', headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? ''])) });
    },
  });
}, 120_000);

afterAll(async () => {
  await consumer?.disconnect();
  s3?.setMode({ kind: 'pass' });
  dedupe?.setMode({ kind: 'pass' });
  await platform?.destroy();
  await Promise.all([s3?.close(), dedupe?.close(), s3Direct?.close(), collector?.close()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** A directory with a file of fresh bytes (so the backup has a chunk to look up and a pack to store). */
function sourceDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arca-failing-source-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'data.bin'), randomBytes(64 * 1024));
  return dir;
}

/** Runs a backup of `dir` to its failure; what the job view, Kafka and the collector then hold. */
async function failingBackup(dir: string): Promise<{ jobId: string; view: JobView; traceparent: string; baggage: string; errorSpan: CollectedSpan; trace: CollectedSpan[] }> {
  const run = await api<{ jobId: string }>(platform, 'POST', '/jobs', { source: { kind: 'directory', path: dir } });
  expect(run.status).toBe(202);
  const jobId = run.body.jobId;
  const view = await until(async () => {
    const v = (await api<JobView>(platform, 'GET', `/jobs/${jobId}`)).body;
    return v.status === 'failed' && v.failure ? v : undefined;
  }, `job ${jobId} to fail`, 30_000, 200);
  const event = await until(() => failedEvents.find((e) => e.jobId === jobId), `backup.failed of job ${jobId} on Kafka`, 10_000, 100);
  expect(view.traceId).toMatch(/^[0-9a-f]{32}$/);
  const errorSpan = await until(() => collector.trace(view.traceId!).find((s) => s.status.code === 2 && s.attributes['arca.job_id'] === jobId),
    `an ERROR span of job ${jobId} in trace ${view.traceId}`, 15_000, 200);
  // Each service exports in its own batches, and the gateway's HTTP server span ends only after the
  // response has gone, so it can come a batch after the gateway's other spans and after ingest's.
  const trace = await until(() => {
    const spans = collector.trace(view.traceId!);
    return spans.some((s) => s.service === 'arca-gateway' && /POST/.test(s.name)) ? spans : undefined;
  }, `the gateway's POST span of trace ${view.traceId}`, 15_000, 200);
  return { jobId, view, traceparent: event.headers.traceparent ?? '', baggage: event.headers.baggage ?? '', errorSpan, trace };
}

/** What every failure must show, whatever its stage. */
function expectOneTracedFailure(r: Awaited<ReturnType<typeof failingBackup>>, stage: string, cause: RegExp): void {
  const traceId = r.view.traceId!;
  // The failure event carries the job's trace: the same trace the request to the gateway began.
  expect(r.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  expect(r.baggage).toBe(`arca.job_id=${r.jobId}`); // the job's id, for the log lines of whoever consumes it
  expect(r.trace.filter((s) => s.service === 'arca-gateway').map((s) => s.name)).toEqual(expect.arrayContaining([expect.stringMatching(/POST/)]));
  // The failing service's span: ERROR, with the exception and its cause recorded.
  expect(r.errorSpan.service).toBe('arca-ingest');
  expect(r.errorSpan.name).toBe('backup job');
  expect(r.errorSpan.status.message).toMatch(cause);
  const exception = r.errorSpan.events.find((e) => e.name === 'exception');
  expect(exception?.attributes['exception.type']).toBe('BackupStageError');
  expect(String(exception?.attributes['exception.message'])).toMatch(cause);
  // The job view: trace id and link, the failing service, stage and cause, the attempt, the timeline.
  expect(r.view.traceUrl).toBe(`http://localhost:16686/trace/${traceId}`);
  expect(r.view.failure).toMatchObject({ service: 'ingest', stage });
  expect(r.view.failure!.error).toMatch(cause);
  expect(r.view.attempt).toBe(1);
  const timeline = r.view.timeline.filter((e) => e.stage !== 'progress');
  expect(timeline.map((e) => [e.type, e.service])).toEqual([['backup.requested', 'scheduler'], ['backup.started', 'ingest'], ['backup.failed', 'ingest']]);
  expect(timeline.every((e) => e.traceId === traceId)).toBe(true);
  expect(timeline.slice(0, -1).every((e) => typeof e.durationMs === 'number' && e.durationMs >= 0)).toBe(true);
  // The logs: ingest's line about the failure is JSON carrying the job's id and its trace (the job
  // worker's, not the warnings of the in-job retries before it, which name the job as well).
  const ingestLines = platform.logs.filter((l) => l.startsWith('[ingest] {')).map((l) => JSON.parse(l.slice('[ingest] '.length)) as Record<string, unknown>);
  const failedLine = ingestLines.find((l) => l.job_id === r.jobId && l.context === 'JobWorker' && String(l.msg).includes('failed'));
  expect(failedLine).toMatchObject({ level: 'warn', service: 'arca-ingest', context: 'JobWorker', trace_id: traceId, span_id: r.errorSpan.spanId });
  expect(String(failedLine!.msg)).toMatch(cause);
}

describe('a failed backup is one trace, with its cause', () => {
  it('a missing source: ingest, stage read', async () => {
    const missing = path.join(os.tmpdir(), `arca-no-such-dir-${randomUUID()}`);
    const r = await failingBackup(missing);
    expectOneTracedFailure(r, 'read', /ENOENT|no such file|does not exist/i);
    // The CLI shows the same to an operator at a terminal.
    const shown = await arcaStatus(platform.gatewayUrl, ['jobs', 'show', r.jobId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`trace     ${r.view.traceId}  http://localhost:16686/trace/${r.view.traceId}`);
    expect(shown.stdout).toMatch(/failed {4}in ingest \(stage read\): .*(ENOENT|no such file|does not exist)/i);
    expect(shown.stdout).toMatch(/scheduler\s+backup\.requested/);
    // Log lines written during requests name the request, never its credentials.
    expect(platform.logs.join('\n')).not.toContain(platform.adminKey);
  });

  it('the dedupe index down: ingest, stage index, with the refused connection as the cause', async () => {
    dedupe.setMode({ kind: 'refuse' });
    try {
      const r = await failingBackup(sourceDir());
      expectOneTracedFailure(r, 'index', /dedupe-index unreachable/);
      // The cause chain: the data thread's failure wraps the lookup's, which wraps fetch's.
      expect(r.errorSpan.attributes['arca.error.causes']).toEqual(expect.arrayContaining([expect.stringMatching(/fetch failed/)]));
    } finally {
      dedupe.setMode({ kind: 'pass' });
    }
  });

  it('the object store refusing writes: ingest, stage store, naming the pack it could not put', async () => {
    s3.setMode({ kind: 'http-error', share: 1, statuses: [403] });
    try {
      const r = await failingBackup(sourceDir());
      expectOneTracedFailure(r, 'store', /put "data\/[0-9a-f]{2}\/[0-9a-f]{64}" failed/);
      expect(r.errorSpan.attributes['arca.error.causes']).toEqual(expect.arrayContaining([expect.stringMatching(/put "data\//)]));
    } finally {
      s3.setMode({ kind: 'pass' });
    }
  });
});
