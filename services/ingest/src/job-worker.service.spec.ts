import { BackupRequested, PackStored, TOPICS } from '@arca/contracts';
import { Messaging1763999999000, Outbox, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { useInMemorySpans } from '@arca/telemetry';
import { SpanStatusCode } from '@opentelemetry/api';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupCancelledError, BackupRunner } from './backup.runner';
import { CheckRunner } from './check.runner';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { SnapshotEntity } from './entities/snapshot.entity';
import { JobLease, JobQueueService } from './job-queue.service';
import { JobWorkerService } from './job-worker.service';
import type { VerifyRunner } from './verify.runner';
import type { PruneRunner } from './prune.runner';
import type { RecoverRunner } from './recover.runner';
import { RestoreRunner } from './restore.runner';
import { INGEST_MIGRATIONS } from './migrations';

/**
 * The job worker's cancel path on the real Postgres, with a stand-in backup runner that runs until
 * its signal aborts (as the real one does when its data thread is told to stop).
 */
const schema = createTestSchema('job_worker');
let dataSource: DataSource;
let queue: JobQueueService;
let worker: JobWorkerService;
const runs: Array<{ jobId: string; signal: AbortSignal }> = [];
const pack = (jobId: string): PackStored => ({ jobId, packKey: `data/ab/${'ab'.repeat(32)}`, size: 10, chunkCount: 1, rawBytes: 10 });

const runner = {
  run: (lease: JobLease, _request: BackupRequested, _stream: unknown, signal: AbortSignal) => new Promise((_resolve, reject) => {
    runs.push({ jobId: lease.id, signal });
    signal.addEventListener('abort', () => {
      const cancelled = new BackupCancelledError(String(signal.reason));
      cancelled.storedPacks = [pack(lease.id)]; // what the real runner attaches: the packs stored before the abort
      reject(cancelled);
    });
  }),
} as unknown as BackupRunner;

/** Restores and prunes that fail, with a cause, as a full target disk or a lost store would. */
const failing = (what: string) => ({
  run: async () => { throw new Error(`${what} failed`, { cause: Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }) }); },
});
const spans = useInMemorySpans();

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema, entities: [IngestJobEntity, SnapshotEntity, OutboxEntity, ProcessedEventEntity],
    migrations: [Messaging1763999999000, ...INGEST_MIGRATIONS],
  });
  queue = new JobQueueService(dataSource);
  worker = new JobWorkerService(dataSource, queue, new Outbox(), runner, failing('the restore') as unknown as RestoreRunner, {} as CheckRunner, failing('the prune') as unknown as PruneRunner, failing('the recovery') as unknown as RecoverRunner, failing('the test restore') as unknown as VerifyRunner);
  await worker.onApplicationBootstrap();
});

afterAll(async () => {
  await worker?.onApplicationShutdown();
  await dataSource?.destroy();
  await schema.drop();
});

async function backup(request: Partial<BackupRequested> = {}): Promise<string> {
  const jobId = randomUUID();
  await queue.enqueue('backup', jobId, { jobId, policyId: randomUUID(), source: { kind: 'directory', path: '/data' }, trigger: 'schedule', ...request }, {}, 'default');
  worker.notify();
  return jobId;
}

/** Polls the job's row until the worker has ended it (the worker is woken by notify, not by a timer). */
async function ended(jobId: string): Promise<IngestJobEntity> {
  for (let i = 0; i < 200; i++) {
    const job = await dataSource.getRepository(IngestJobEntity).findOneByOrFail({ id: jobId });
    if (!['queued', 'running'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${jobId} did not end`);
}

/** A job's outbox rows with the trace headers they will be published with. */
const outboxRows = async (jobId: string) => (await dataSource.getRepository(OutboxEntity).find({ order: { id: 'ASC' } })).filter((r) => (r.envelope as { jobId?: string }).jobId === jobId);

const outbox = async (jobId: string) => (await dataSource.getRepository(OutboxEntity).find({ order: { id: 'ASC' } }))
  .filter((r) => (r.envelope as { jobId?: string }).jobId === jobId).map((r) => ({ topic: r.topic, payload: (r.envelope as { payload: unknown }).payload }));

describe('cancelling backups in the job worker', () => {
  it('aborts a running backup on backup.cancel_requested: the job ends cancelled, backup.cancelled and its packs go out, no snapshot', async () => {
    const jobId = await backup();
    for (let i = 0; i < 200 && !runs.some((r) => r.jobId === jobId); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const run = runs.find((r) => r.jobId === jobId)!;
    expect(run.signal.aborted).toBe(false);

    await worker.requestCancel(jobId, 'the backup window closed');
    expect(run.signal.aborted).toBe(true);
    expect(await ended(jobId)).toMatchObject({ status: 'cancelled', error: 'the backup window closed', cancelReason: 'the backup window closed' });
    const request = (await dataSource.getRepository(IngestJobEntity).findOneByOrFail({ id: jobId })).request as unknown as BackupRequested;
    expect(await outbox(jobId)).toEqual([
      { topic: TOPICS.packStored, payload: pack(jobId) },
      { topic: TOPICS.backupCancelled, payload: { jobId, policyId: request.policyId, reason: 'the backup window closed' } },
    ]);
    expect(await dataSource.getRepository(SnapshotEntity).count()).toBe(0);

    await worker.requestCancel(jobId, 'again'); // an ended job is left as it is
    expect((await outbox(jobId)).length).toBe(2);
  });

  it('does not start a backup whose window closed while it waited in the queue', async () => {
    const before = runs.length;
    const jobId = await backup({ notAfter: new Date(Date.now() - 1000).toISOString() });
    expect(await ended(jobId)).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^the backup window closed at .* before the job could start$/) });
    expect(runs.length).toBe(before);
    expect((await outbox(jobId)).map((e) => e.topic)).toEqual([TOPICS.backupCancelled]);
  });
});

describe("a job's outcome in its trace", () => {
  const traced = () => {
    const traceId = randomBytes(16).toString('hex');
    return { traceId, headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } };
  };

  it.each([
    ['restore', TOPICS.restoreFailed, 'the restore failed'],
    ['prune', TOPICS.pruneFailed, 'the prune failed'],
  ] as const)('a failed %s: its failure event carries the trace, and the job span is ERROR with the cause', async (kind, topic, message) => {
    const { traceId, headers } = traced();
    const jobId = randomUUID();
    await queue.enqueue(kind, jobId, { jobId, snapshotId: 'ab'.repeat(32), target: '/restore' }, headers, 'default');
    worker.notify();
    expect(await ended(jobId)).toMatchObject({ status: 'failed', error: message });
    const rows = await outboxRows(jobId);
    expect(rows.map((r) => r.topic)).toEqual([topic]);
    expect(rows[0].headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const span = spans.getFinishedSpans().find((s) => s.attributes['arca.job_id'] === jobId)!;
    expect(span.spanContext().traceId).toBe(traceId);
    expect(rows[0].headers.traceparent).toContain(span.spanContext().spanId); // published from the job's own span
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message });
    expect(span.attributes['arca.error.causes']).toEqual(['Error: ENOSPC: no space left on device']);
  });

  it('a cancelled backup: backup.cancelled carries the trace, and the span is not an error', async () => {
    const { traceId } = traced();
    const jobId = randomUUID();
    await queue.enqueue('backup', jobId, { jobId, source: { kind: 'directory', path: '/data' }, trigger: 'schedule', notAfter: new Date(Date.now() - 1000).toISOString() }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }, 'default');
    worker.notify();
    expect(await ended(jobId)).toMatchObject({ status: 'cancelled' });
    expect((await outboxRows(jobId)).map((r) => [r.topic, r.headers.traceparent?.slice(3, 35)])).toEqual([[TOPICS.backupCancelled, traceId]]);
    const span = spans.getFinishedSpans().find((s) => s.attributes['arca.job_id'] === jobId)!;
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes['arca.outcome']).toBe('cancelled');
  });
});
