import { RestoreVerificationRequested, TOPICS } from '@arca/contracts';
import { sampleFilePaths, WorkerRestorer } from '@arca/datapath';
import { Outbox } from '@arca/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { JobLease, JobQueueService } from './job-queue.service';
import { RepositoryAccess } from './repository-access';
import { inJob } from './transient-retry';

/** Where test restores write their scratch copies (ARCA_SCRATCH_DIR, default the system's temporary directory). */
export function scratchRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.ARCA_SCRATCH_DIR || os.tmpdir();
}

/**
 * Runs one test restore: restores a random sample of a snapshot's files (or all of it) into a
 * scratch directory, every chunk verified against its id as any restore does, and removes the
 * copy again, whatever happened. A file that could not be restored whole fails the test restore.
 * The time it took, scaled to the whole snapshot's bytes, is the policy's observed RTO.
 */
@Injectable()
export class VerifyRunner {
  private readonly logger = new Logger('VerifyRunner');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RepositoryAccess,
    private readonly outbox: Outbox,
    private readonly queue: JobQueueService,
  ) {}

  async run(lease: JobLease, request: RestoreVerificationRequested): Promise<void> {
    await this.repo.keys.refresh(); // generations another worker added since this one started
    const jobId = lease.id;
    if (!request.snapshotId && !request.policyId) throw new Error('a test restore names a snapshot or a policy (whose newest snapshot it verifies)');
    const snapshot = request.snapshotId
      ? await this.repo.catalog.get(lease.tenant, request.snapshotId)
      : (await this.repo.catalog.list(lease.tenant, { policyId: request.policyId }))[0];
    if (!snapshot) throw new Error(`policy ${request.policyId} has no snapshot to verify yet`);
    const retry = inJob(this.logger, jobId);
    const manifest = await this.repo.catalog.manifest(snapshot, 'primary', retry);
    const paths = request.sample > 0 ? await sampleFilePaths(this.repo.catalog.reader(lease.tenant, 'primary', retry), manifest, request.sample) : undefined;
    const scratch = await mkdtemp(path.join(scratchRoot(), `arca-verify-${jobId.slice(0, 8)}-`));
    let result;
    try {
      // A snapshot without files (an empty directory) has nothing to sample: its tree is restored, which verifies its listings.
      result = await new WorkerRestorer(this.repo.keys.keyFor(lease.tenant), this.repo.chunkSource(lease.tenant, 'primary', retry))
        .restore(manifest, scratch, { paths: paths?.length ? paths : undefined });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    if (result.failedFiles.length > 0) {
      const first = result.failedFiles.slice(0, 3).map((f) => `${f.path}: ${f.reason}`).join('; ');
      throw new Error(`${result.failedFiles.length} of ${result.files + result.failedFiles.length} file(s) of snapshot ${snapshot.id} did not restore whole (${first}); run \`arca check\``);
    }
    const whole = snapshot.stats.bytesRead;
    const estimatedFullRestoreMs = paths === undefined ? result.durationMs : Math.round(result.durationMs * Math.max(1, whole / Math.max(result.bytesWritten, 1)));
    await this.dataSource.transaction(async (m) => {
      await this.queue.finish(m, lease, { status: 'completed' });
      await this.outbox.enqueue(m, TOPICS.restoreVerified, {
        jobId, snapshotId: snapshot.id, ...(snapshot.policyId ? { policyId: snapshot.policyId } : {}), sample: request.sample,
        files: result.files, bytesRestored: result.bytesWritten, durationMs: result.durationMs, estimatedFullRestoreMs,
      }, { jobId, tenant: lease.tenant });
    });
  }
}
