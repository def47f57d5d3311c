import { BackupRequested, CheckRequested, redactedSource, RestoreRequested, TOPICS } from '@arca/contracts';
import { Outbox } from '@arca/messaging';
import { extractTraceContext, runInSpan } from '@arca/telemetry';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackupRunner, BackupStageError } from './backup.runner';
import { CheckRunner } from './check.runner';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { JobQueueService, LEASE_SECONDS, MAX_ATTEMPTS } from './job-queue.service';
import { RestoreRunner } from './restore.runner';

/**
 * Takes jobs from the queue and runs them, INGEST_CONCURRENCY at a time per worker. Several
 * ingest instances share one queue; a job's lease is renewed while it runs.
 */
@Injectable()
export class JobWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobWorker');
  private stopped = false;
  private wake?: () => void;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: JobQueueService,
    private readonly outbox: Outbox,
    private readonly backups: BackupRunner,
    private readonly restores: RestoreRunner,
    private readonly checks: CheckRunner,
  ) {}

  onApplicationBootstrap(): void {
    const slots = Math.max(1, Number(process.env.INGEST_CONCURRENCY ?? 1));
    for (let i = 0; i < slots; i++) void this.loop();
  }

  /** Called when a request was queued here, so the worker starts without waiting for its poll. */
  notify(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let job: IngestJobEntity | undefined;
      try {
        job = await this.queue.claim();
      } catch (error) {
        this.logger.warn(`cannot claim jobs: ${(error as Error).message}`);
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          this.wake = () => { clearTimeout(timer); resolve(); };
        });
        continue;
      }
      const work = this.execute(job);
      this.running.add(work);
      await work;
      this.running.delete(work);
    }
  }

  private async execute(job: IngestJobEntity): Promise<void> {
    const renew = setInterval(() => void this.queue.renewLease(job.id).catch(() => undefined), (LEASE_SECONDS * 1000) / 3);
    try {
      await runInSpan(`${job.kind} job`, { parent: extractTraceContext(job.traceHeaders), attributes: { 'arca.job_id': job.id } }, async () => {
        if (job.attempts > MAX_ATTEMPTS) throw new BackupStageError('read', `gave up after ${MAX_ATTEMPTS} attempts (the worker running it stopped each time)`);
        if (job.kind === 'backup') await this.backups.run(job.id, job.request as unknown as BackupRequested);
        else if (job.kind === 'restore') await this.restores.run(job.id, job.request as unknown as RestoreRequested);
        else await this.checks.run(job.id, job.request as unknown as CheckRequested);
      });
    } catch (error) {
      await this.recordFailure(job, error).catch((e) => this.logger.error(`cannot record the failure of job ${job.id}: ${(e as Error).message}`));
    } finally {
      clearInterval(renew);
    }
  }

  /** Marks a job failed and announces it (backup.failed, restore.failed, or a check report naming the failure). */
  async recordFailure(job: Pick<IngestJobEntity, 'id' | 'kind' | 'request'>, error: unknown): Promise<void> {
    const reason = (error as Error).message ?? String(error);
    this.logger.warn(`${job.kind} job ${job.id} failed: ${reason}`);
    const request = job.request as Record<string, unknown>;
    await this.dataSource.transaction(async (m) => {
      if (job.kind === 'backup') {
        const r = request as unknown as BackupRequested;
        await this.outbox.enqueue(m, TOPICS.backupFailed, {
          jobId: job.id, reason, stage: error instanceof BackupStageError ? error.stage : 'read', source: redactedSource(r.source), ...(r.policyId ? { policyId: r.policyId } : {}),
        }, { jobId: job.id });
      } else if (job.kind === 'restore') {
        await this.outbox.enqueue(m, TOPICS.restoreFailed, { jobId: job.id, reason, ...(/^[0-9a-f]{64}$/.test(String(request.snapshotId)) ? { snapshotId: String(request.snapshotId) } : {}) }, { jobId: job.id });
      } else {
        await this.outbox.enqueue(m, TOPICS.checkCompleted, { jobId: job.id, packsChecked: 0, chunksChecked: 0, damaged: [{ chunkId: '', packKey: '', reason: `check failed: ${reason}`, snapshots: [], files: [] }], durationMs: 0 }, { jobId: job.id });
      }
      await m.update(IngestJobEntity, { id: job.id }, { status: 'failed', error: reason, finishedAt: new Date(), leaseUntil: null });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    // A job cut off here keeps its lease and is taken over when the lease expires.
  }
}
