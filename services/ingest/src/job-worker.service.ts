import { BackupRequested, CheckRequested, PackStored, PruneRequested, RecoverRequested, redactedSource, RestoreRequested, RestoreVerificationRequested, TOPICS } from '@arca/contracts';
import { Outbox } from '@arca/messaging';
import { extractTraceContext, runInSpan } from '@arca/telemetry';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BackupCancelledError, BackupRunner, BackupStageError } from './backup.runner';
import { CheckRunner } from './check.runner';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { JobLease, JobQueueService, LEASE_SECONDS, LeaseLostError, MAX_ATTEMPTS } from './job-queue.service';
import { PruneRunner } from './prune.runner';
import { RecoverRunner } from './recover.runner';
import { RestoreRunner } from './restore.runner';
import { VerifyRunner } from './verify.runner';

/**
 * Takes jobs from the queue and runs them, INGEST_CONCURRENCY at a time per worker. Several
 * ingest instances share one queue; a job's lease is renewed while it runs. A worker that starts
 * takes over at once the jobs of a dead worker on its host (others wait for their leases to end).
 */
@Injectable()
export class JobWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobWorker');
  private stopped = false;
  private readonly wakers = new Set<() => void>();
  private readonly running = new Set<Promise<void>>();
  /** The jobs this process runs, by id: a cancel request for one of them aborts it at once. */
  private readonly cancels = new Map<string, AbortController>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: JobQueueService,
    private readonly outbox: Outbox,
    private readonly backups: BackupRunner,
    private readonly restores: RestoreRunner,
    private readonly checks: CheckRunner,
    private readonly prunes: PruneRunner,
    private readonly recoveries: RecoverRunner,
    private readonly verifies: VerifyRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const released = await this.queue.releaseDeadWorkersJobs();
      if (released > 0) this.logger.warn(`taking over ${released} job(s) of a stopped worker on this host`);
    } catch (error) {
      this.logger.warn(`cannot look for jobs of stopped workers: ${(error as Error).message}`);
    }
    const slots = Math.max(1, Number(process.env.INGEST_CONCURRENCY ?? 1));
    for (let i = 0; i < slots; i++) void this.loop('jobs');
    void this.loop('maintenance');
  }

  /** Called when a request was queued here, so the worker starts without waiting for its poll. */
  notify(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
  }

  /**
   * A cancel request (backup.cancel_requested): recorded on the job, so a worker that claims it
   * later ends it at once, and one running it on another instance sees it at its next lease
   * renewal; a job running here is aborted now.
   */
  async requestCancel(jobId: string, reason: string): Promise<void> {
    if (!(await this.queue.requestCancel(jobId, reason))) return; // ended already, or not ours
    this.cancels.get(jobId)?.abort(reason);
    this.notify(); // a queued job is ended by the next claim
  }

  /**
   * Runs `work` while renewing the lease; when a renewal finds the job taken over, `work` goes on
   * (a data thread cannot be stopped mid-write) but cannot end the job (JobQueueService.finish).
   * With `cancel`, each renewal also looks for a cancel request made through another instance.
   */
  async hold<T>(lease: JobLease, work: () => Promise<T>, cancel?: AbortController): Promise<T> {
    const renew = setInterval(() => {
      void this.queue.renewLease(lease).then((held) => {
        if (!held) this.logger.warn(`job ${lease.id}: lease lost to another worker; this run's outcome will be discarded`);
      }).catch(() => undefined);
      if (cancel) void this.queue.cancelReason(lease.id).then((reason) => { if (reason) cancel.abort(reason); }).catch(() => undefined);
    }, (LEASE_SECONDS * 1000) / 3);
    try {
      return await work();
    } finally {
      clearInterval(renew);
    }
  }

  private async loop(lane: 'jobs' | 'maintenance'): Promise<void> {
    while (!this.stopped) {
      let job: IngestJobEntity | undefined;
      try {
        job = await this.queue.claim(lane);
      } catch (error) {
        this.logger.warn(`cannot claim jobs: ${(error as Error).message}`);
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          this.wakers.add(() => { clearTimeout(timer); resolve(); });
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
    const lease: JobLease = { id: job.id, attempt: job.attempts, tenant: job.tenant };
    const cancel = new AbortController();
    this.cancels.set(job.id, cancel);
    try {
      // The outcome is recorded inside the job's span, so every event it publishes (a failure's
      // too) carries the job's trace context, and a failure marks this span ERROR with its cause.
      await this.hold(lease, () => runInSpan(`${job.kind} job`, { parent: extractTraceContext(job.traceHeaders), jobId: job.id, attributes: { 'arca.job_id': job.id, 'arca.attempt': job.attempts } }, async (span) => {
        try {
          await this.run(job, lease, cancel);
        } catch (error) {
          if (error instanceof LeaseLostError) throw error;
          if (error instanceof BackupCancelledError) {
            span.setAttribute('arca.outcome', 'cancelled');
            await this.recordCancellation(lease, job, error).catch((e) => this.logger.error(`cannot record the cancellation of job ${job.id}: ${(e as Error).message}`));
            return;
          }
          await this.recordFailure(lease, job, error).catch((e) => this.logger.error(`cannot record the failure of job ${job.id}: ${(e as Error).message}`));
          throw error;
        }
      }), cancel);
    } catch (error) {
      // A failure was recorded above; a lost lease records nothing (the worker that took the job over will).
      if (error instanceof LeaseLostError) this.logger.warn(error.message);
    } finally {
      this.cancels.delete(job.id);
    }
  }

  /** Runs one claimed job to its end; throws what made it fail or stop. */
  private async run(job: IngestJobEntity, lease: JobLease, cancel: AbortController): Promise<void> {
    if (job.attempts > MAX_ATTEMPTS) throw new BackupStageError('read', `gave up after ${MAX_ATTEMPTS} attempts (the worker running it stopped each time)`);
    if (job.kind === 'backup') {
      const request = job.request as unknown as BackupRequested;
      if (request.source.kind === 'stream') {
        // An upload runs in the request that carries it; a claimed stream job is one whose worker stopped mid-upload.
        throw new BackupStageError('read', `the upload of ${request.source.name} was cut off: the ingest worker receiving it stopped; no snapshot was made (upload it again)`);
      }
      const reason = job.cancelReason ?? (request.notAfter && Date.now() >= Date.parse(request.notAfter)
        ? `the backup window closed at ${request.notAfter} before the job could start` : undefined);
      if (reason) throw new BackupCancelledError(reason);
      await this.backups.run(lease, request, undefined, cancel.signal);
    } else if (job.kind === 'restore') await this.restores.run(lease, job.request as unknown as RestoreRequested);
    else if (job.kind === 'prune') await this.prunes.run(lease, job.request as unknown as PruneRequested);
    else if (job.kind === 'recover') await this.recoveries.run(lease, job.request as unknown as RecoverRequested);
    else if (job.kind === 'verify') await this.verifies.run(lease, job.request as unknown as RestoreVerificationRequested);
    else await this.checks.run(lease, job.request as unknown as CheckRequested);
  }

  /** Marks a backup cancelled and announces it (backup.cancelled) with the packs it had stored, if the lease is still this worker's. No snapshot exists. */
  async recordCancellation(lease: JobLease, job: Pick<IngestJobEntity, 'request'>, cancelled: BackupCancelledError): Promise<void> {
    this.logger.warn(`backup job ${lease.id} cancelled: ${cancelled.reason}`);
    const request = job.request as unknown as BackupRequested;
    await this.dataSource.transaction(async (m) => {
      await this.queue.finish(m, lease, { status: 'cancelled', error: cancelled.reason });
      await this.announcePacks(m, cancelled.storedPacks, lease);
      await this.outbox.enqueue(m, TOPICS.backupCancelled, { jobId: lease.id, reason: cancelled.reason, ...(request.policyId ? { policyId: request.policyId } : {}) }, { jobId: lease.id, tenant: lease.tenant });
    });
  }

  /** What an unfinished backup had stored: accounted by storage, reclaimable by prune. */
  private async announcePacks(m: EntityManager, packs: PackStored[], lease: JobLease): Promise<void> {
    for (const pack of packs) await this.outbox.enqueue(m, TOPICS.packStored, pack, { jobId: lease.id, tenant: lease.tenant });
  }

  /** Marks a job failed and announces it (backup.failed, restore.failed, or a check report naming the failure), if the lease is still this worker's. */
  async recordFailure(lease: JobLease, job: Pick<IngestJobEntity, 'kind' | 'request'>, error: unknown): Promise<void> {
    const reason = (error as Error).message ?? String(error);
    this.logger.warn(`${job.kind} job ${lease.id} failed: ${reason}`);
    const request = job.request as Record<string, unknown>;
    await this.dataSource.transaction(async (m) => {
      await this.queue.finish(m, lease, { status: 'failed', error: reason });
      if (job.kind === 'backup') {
        const r = request as unknown as BackupRequested;
        await this.announcePacks(m, error instanceof BackupStageError ? error.storedPacks : [], lease);
        await this.outbox.enqueue(m, TOPICS.backupFailed, {
          jobId: lease.id, reason, stage: error instanceof BackupStageError ? error.stage : 'read', source: redactedSource(r.source), ...(r.policyId ? { policyId: r.policyId } : {}),
        }, { jobId: lease.id, tenant: lease.tenant });
      } else if (job.kind === 'prune') {
        await this.outbox.enqueue(m, TOPICS.pruneFailed, { jobId: lease.id, reason: reason.slice(0, 4000) }, { jobId: lease.id, tenant: lease.tenant });
      } else if (job.kind === 'recover') {
        await this.outbox.enqueue(m, TOPICS.recoverFailed, { jobId: lease.id, reason: reason.slice(0, 4000) }, { jobId: lease.id });
      } else if (job.kind === 'verify') {
        const r = request as unknown as RestoreVerificationRequested;
        await this.outbox.enqueue(m, TOPICS.restoreVerificationFailed, {
          jobId: lease.id, reason: reason.slice(0, 4000), ...(r.policyId ? { policyId: r.policyId } : {}), ...(r.snapshotId ? { snapshotId: r.snapshotId } : {}),
        }, { jobId: lease.id, tenant: lease.tenant });
      } else if (job.kind === 'restore') {
        await this.outbox.enqueue(m, TOPICS.restoreFailed, { jobId: lease.id, reason, ...(/^[0-9a-f]{64}$/.test(String(request.snapshotId)) ? { snapshotId: String(request.snapshotId) } : {}) }, { jobId: lease.id, tenant: lease.tenant });
      } else {
        await this.outbox.enqueue(m, TOPICS.checkCompleted, { jobId: lease.id, packsChecked: 0, chunksChecked: 0, damaged: [{ chunkId: '', packKey: '', reason: `check failed: ${reason}`, snapshots: [], files: [] }], durationMs: 0 }, { jobId: lease.id, tenant: lease.tenant });
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.notify();
    // A job cut off here keeps its lease and is taken over when the lease expires (at once by a worker restarted on this host).
  }
}
