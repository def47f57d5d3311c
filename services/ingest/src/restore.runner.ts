import { RestoreRequested, TOPICS } from '@arca/contracts';
import { restoreSize, WorkerRestorer } from '@arca/datapath';
import { EventPublisher, Outbox } from '@arca/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RepositoryAccess } from './repository-access';
import { JobLease, JobQueueService } from './job-queue.service';
import { inJob } from './transient-retry';

/**
 * Runs one restore job: every chunk read back is verified against its id before it is written.
 * Its reads (the manifest, listings, locations, pack ranges) are retried after a transient fault,
 * as a backup's calls are, so an outage of S3 or the index costs the restore a pause.
 */
@Injectable()
export class RestoreRunner {
  private readonly logger = new Logger('RestoreRunner');
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RepositoryAccess,
    private readonly publisher: EventPublisher,
    private readonly outbox: Outbox,
    private readonly queue: JobQueueService,
  ) {}

  async run(lease: JobLease, request: RestoreRequested): Promise<void> {
    await this.repo.keys.refresh(); // generations another worker added since this one started
    const jobId = lease.id;
    const snapshot = await this.repo.catalog.get(lease.tenant, request.snapshotId);
    const site = request.site ?? 'primary';
    const retry = inJob(this.logger, jobId);
    const manifest = await this.repo.catalog.manifest(snapshot, site, retry);
    // The whole snapshot: what the backup read; chosen paths: their listings are read to sum them.
    const totalBytes = request.paths?.length ? await restoreSize(this.repo.catalog.reader(lease.tenant, site, retry), manifest, request.paths) : snapshot.stats.bytesRead;
    await this.publisher.publish(TOPICS.restoreStarted, { jobId, snapshotId: snapshot.id, target: request.target, totalBytes }, { jobId, tenant: lease.tenant });
    let lastProgress = 0;
    // On a data thread: decryption, decompression and verification off this service's heap.
    const restorer = new WorkerRestorer(this.repo.keys.keyFor(lease.tenant), this.repo.chunkSource(lease.tenant, site, retry), (p) => {
      if (Date.now() - lastProgress < 1000) return;
      lastProgress = Date.now();
      void this.publisher.publish(TOPICS.restoreProgress, { jobId, files: p.files, bytesWritten: p.bytesWritten, totalBytes }, { jobId, tenant: lease.tenant }).catch(() => undefined);
    });
    const result = await restorer.restore(manifest, request.target, { paths: request.paths });
    await this.dataSource.transaction(async (m) => {
      // First: the fenced update locks the job's row, so no worker can take the job over while this commits.
      await this.queue.finish(m, lease, { status: 'completed' });
      await this.outbox.enqueue(m, TOPICS.restoreCompleted, {
        jobId, snapshotId: snapshot.id, target: request.target,
        stats: {
          files: result.files, dirs: result.dirs, bytesWritten: result.bytesWritten, durationMs: result.durationMs,
          throughputBytesPerSec: Math.round(result.bytesWritten / Math.max(result.durationMs, 1) * 1000), failedFiles: result.failedFiles,
        },
      }, { jobId, tenant: lease.tenant });
    });
  }
}
