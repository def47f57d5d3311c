import { createServiceDataSource, createTestSchema, qualifiedTable, testDatabaseUrl } from '@arca/persistence';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { SnapshotEntity } from './entities/snapshot.entity';
import { JobQueueService, LeaseLostError, WORKER } from './job-queue.service';
import { INGEST_MIGRATIONS } from './migrations';

const schema = createTestSchema('job_queue');
let dataSource: DataSource;
let queue: JobQueueService;

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema, entities: [IngestJobEntity, SnapshotEntity], migrations: INGEST_MIGRATIONS,
  });
  queue = new JobQueueService(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
});

const expireLeases = () => dataSource.query(`UPDATE ${qualifiedTable(dataSource, IngestJobEntity)} SET lease_until = now() - interval '1 second' WHERE status = 'running'`);

describe('the ingest job queue', () => {
  it('fences the lease: a worker whose job was taken over cannot end it, the worker holding it can, once', async () => {
    const id = randomUUID();
    await queue.enqueue('backup', id, { jobId: id }, {}, 'default');
    const first = (await queue.claim())!;
    expect(first).toMatchObject({ id, attempts: 1 });
    await expireLeases(); // the first worker stalls past its lease
    const second = (await queue.claim())!;
    expect(second).toMatchObject({ id, attempts: 2 });

    expect(await queue.renewLease({ id, attempt: 1, tenant: 'default' })).toBe(false);
    await expect(dataSource.transaction((m) => queue.finish(m, { id, attempt: 1, tenant: 'default' }, { status: 'completed' }))).rejects.toThrow(LeaseLostError);
    await dataSource.transaction((m) => queue.finish(m, { id, attempt: 2, tenant: 'default' }, { status: 'completed' }));
    await expect(dataSource.transaction((m) => queue.finish(m, { id, attempt: 2, tenant: 'default' }, { status: 'failed', error: 'late' }))).rejects.toThrow(/no longer held by this worker/);
    expect(await dataSource.getRepository(IngestJobEntity).findOneByOrFail({ id })).toMatchObject({ status: 'completed', error: null, worker: WORKER });
  });

  it('releases at once the jobs of dead processes on this host, and only those', async () => {
    const [dead, alive] = [randomUUID(), randomUUID()];
    for (const id of [dead, alive]) await queue.enqueue('backup', id, { jobId: id }, {}, 'default');
    await queue.claim();
    await queue.claim();
    const table = qualifiedTable(dataSource, IngestJobEntity);
    // A pid no process has (above the kernel's pid_max), and this test's own parent process.
    await dataSource.query(`UPDATE ${table} SET worker = $2 WHERE id = $1`, [dead, `${os.hostname()}:2147483646`]);
    await dataSource.query(`UPDATE ${table} SET worker = $2 WHERE id = $1`, [alive, `${os.hostname()}:${process.ppid}`]);
    expect(await queue.releaseDeadWorkersJobs()).toBe(1);
    const taken = (await queue.claim())!;
    expect(taken).toMatchObject({ id: dead, attempts: 2 });
    expect(await queue.claim()).toBeUndefined(); // the live worker's job keeps its lease
  });

  it('records a cancel request on a queued or running job, for whichever worker holds or claims it; an ended job is left as it is', async () => {
    const [queued, running, ended] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [ended, running]) {
      await queue.enqueue('backup', id, { jobId: id }, {}, 'default');
      expect((await queue.claim())!.id).toBe(id);
    }
    await dataSource.transaction((m) => queue.finish(m, { id: ended, attempt: 1, tenant: 'default' }, { status: 'completed' }));
    await queue.enqueue('backup', queued, { jobId: queued }, {}, 'default');

    expect(await queue.requestCancel(ended, 'window closed')).toBe(false);
    expect(await queue.requestCancel(running, 'window closed')).toBe(true);
    expect(await queue.requestCancel(running, 'again')).toBe(true); // the first reason stays
    expect(await queue.cancelReason(running)).toBe('window closed');
    expect(await queue.requestCancel(queued, 'window closed early')).toBe(true);
    expect(await queue.claim()).toMatchObject({ id: queued, cancelReason: 'window closed early' });

    await dataSource.transaction((m) => queue.finish(m, { id: running, attempt: 1, tenant: 'default' }, { status: 'cancelled', error: 'window closed' }));
    expect(await dataSource.getRepository(IngestJobEntity).findOneByOrFail({ id: running })).toMatchObject({ status: 'cancelled', error: 'window closed' });
    expect(await queue.cancelReason(ended)).toBeNull();
  });
});
