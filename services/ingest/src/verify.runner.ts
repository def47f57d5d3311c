import { RestoredDatabase, RestoreVerificationRequested, TOPICS } from '@arca/contracts';
import { sampleFilePaths, WorkerRestorer } from '@arca/datapath';
import { Outbox } from '@arca/messaging';
import { fetchSourceSecret } from '@arca/service-kit';
import { Injectable, Logger } from '@nestjs/common';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { JobLease, JobQueueService } from './job-queue.service';
import { loadAndCountDump, scratchDatabaseName, scratchServer } from './pg-verify';
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
 *
 * A PostgreSQL source's snapshot (one dump file) is restored whole, whatever the sample, and then
 * loaded into a scratch database (pg-verify.ts: arca_verify_<job>, on the source's server or
 * ARCA_VERIFY_DATABASE_URL's), its tables counted against the dump's rows and dropped again; the
 * load is part of the measured time.
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
    const postgres = manifest.source.kind === 'postgres';
    // A dump is one file that only loads whole: a PostgreSQL test restore restores all of it.
    const paths = request.sample > 0 && !postgres ? await sampleFilePaths(this.repo.catalog.reader(lease.tenant, 'primary', retry), manifest, request.sample) : undefined;
    const scratch = await mkdtemp(path.join(scratchRoot(), `arca-verify-${jobId.slice(0, 8)}-`));
    let result;
    let database: RestoredDatabase | undefined;
    try {
      // A snapshot without files (an empty directory) has nothing to sample: its tree is restored, which verifies its listings.
      result = await new WorkerRestorer(this.repo.keys.keyFor(lease.tenant), this.repo.chunkSource(lease.tenant, 'primary', retry))
        .restore(manifest, scratch, { paths: paths?.length ? paths : undefined });
      if (result.failedFiles.length > 0) {
        const first = result.failedFiles.slice(0, 3).map((f) => `${f.path}: ${f.reason}`).join('; ');
        throw new Error(`${result.failedFiles.length} of ${result.files + result.failedFiles.length} file(s) of snapshot ${snapshot.id} did not restore whole (${first}); run \`arca check\``);
      }
      if (postgres) {
        const started = Date.now();
        database = await this.loadDump(manifest.source as { connection?: string; secretRef?: string }, scratch, jobId, snapshot.id);
        result = { ...result, durationMs: result.durationMs + (Date.now() - started) };
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    const whole = snapshot.stats.bytesRead;
    const estimatedFullRestoreMs = paths === undefined ? result.durationMs : Math.round(result.durationMs * Math.max(1, whole / Math.max(result.bytesWritten, 1)));
    await this.dataSource.transaction(async (m) => {
      await this.queue.finish(m, lease, { status: 'completed' });
      await this.outbox.enqueue(m, TOPICS.restoreVerified, {
        jobId, snapshotId: snapshot.id, ...(snapshot.policyId ? { policyId: snapshot.policyId } : {}), sample: request.sample,
        files: result.files, bytesRestored: result.bytesWritten, durationMs: result.durationMs, estimatedFullRestoreMs, ...(database ? { database } : {}),
      }, { jobId, tenant: lease.tenant });
    });
  }

  /** Loads the restored dump (the one .sql file in `dir`) into a scratch database, counts it and drops it. */
  private async loadDump(source: { connection?: string; secretRef?: string }, dir: string, jobId: string, snapshotId: string): Promise<RestoredDatabase> {
    const dumps = (await readdir(dir)).filter((f) => f.endsWith('.sql'));
    if (dumps.length !== 1) throw new Error(`snapshot ${snapshotId} of a PostgreSQL source holds ${dumps.length} .sql dump files, not one: cannot load it`);
    if (!source.connection) throw new Error(`snapshot ${snapshotId} of a PostgreSQL source records no connection: set ARCA_VERIFY_DATABASE_URL to test-restore it`);
    // The password is kept by the policy service, as for the backup (the snapshot records only where).
    const ref = source.secretRef ?? undefined;
    let password: string | undefined;
    if (ref && !process.env.ARCA_VERIFY_DATABASE_URL) {
      try {
        password = await fetchSourceSecret(ref);
      } catch (error) {
        throw new Error(`cannot read the source's password (${ref}) to make a scratch database (or set ARCA_VERIFY_DATABASE_URL): ${(error as Error).message}`, { cause: error });
      }
    }
    return loadAndCountDump(path.join(dir, dumps[0]), scratchServer(source.connection, password, process.env), scratchDatabaseName(jobId));
  }
}
