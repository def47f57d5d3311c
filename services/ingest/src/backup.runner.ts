import { BackupRequested, BackupStats, backupRatios, encodePackList, packListKey, PackStored, redactedSource, SKIPPED_LISTED, SourceSpec, sourceIdentity, TOPICS } from '@arca/contracts';
import { ArchiveResult, closeDataThreads, encodeManifest, Manifest, manifestKey, sealedGeneration, warmDataThread, WorkerArchiver } from '@arca/datapath';
import { EventPublisher, Outbox } from '@arca/messaging';
import { fetchSourceSecret } from '@arca/service-kit';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ObjectStore } from '@arca/object-store';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { RepositoryAccess } from './repository-access';
import { RetentionService } from './retention.service';
import { ServiceChunkRepository } from './service-chunk-repository';
import { retryInJob } from './transient-retry';
import { SnapshotEntity } from './entities/snapshot.entity';
import { JobLease, JobQueueService, LeaseLostError } from './job-queue.service';
import { objectLockProblem } from './locking-object-store';
import { treeSize } from './tree-size';
import { uploadBrokeOff } from './upload-errors';

/**
 * A failure with the pipeline stage it happened in, for backup.failed, and the packs the backup
 * had stored by then: the failure announces them (pack.stored), so storage accounts them and
 * prune can reclaim what no snapshot references (`arca check` lists such packs as unreferenced).
 */
export class BackupStageError extends Error {
  storedPacks: PackStored[] = [];

  /** `cause`: the error this one wraps, recorded with it on the job's span. */
  constructor(readonly stage: 'read' | 'store' | 'index' | 'manifest', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupStageError';
  }
}

/**
 * The backup was cancelled (backup.cancel_requested, or its window closed before it started): no
 * snapshot is made; the packs it had stored are announced (pack.stored), as a failure's are.
 */
export class BackupCancelledError extends Error {
  storedPacks: PackStored[] = [];

  constructor(readonly reason: string) {
    super(`cancelled: ${reason}`);
    this.name = 'BackupCancelledError';
  }
}

function cancelReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
}

/** pg_dump's output as a stream (plain SQL: it deduplicates well between runs, unlike compressed formats). */
function pgDump(connection: string, password?: string): { stream: Readable; done: Promise<void>; stop: () => void } {
  // The password goes in pg_dump's environment, not its command line (which `ps` shows to anyone).
  const env = password === undefined ? process.env : { ...process.env, PGPASSWORD: password };
  const child = spawn('pg_dump', ['--no-owner', '--no-privileges', '--format=plain', '--dbname', connection], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error) => reject(new BackupStageError('read', `cannot run pg_dump: ${error.message}`, { cause: error })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BackupStageError('read', `pg_dump exited with ${code}: ${stderr.trim().split('\n').pop()}`))));
  });
  return { stream: child.stdout, done, stop: () => child.kill() };
}

/** The password a source's secretRef names, asked of the policy service now, when the job runs. */
async function sourcePassword(ref: string): Promise<string> {
  try {
    return await fetchSourceSecret(ref);
  } catch (error) {
    throw new BackupStageError('read', `cannot read the source's password: ${(error as Error).message}`, { cause: error });
  }
}

function databaseName(connection: string): string {
  try {
    return decodeURIComponent(new URL(connection).pathname.replace(/^\//, '')) || 'postgres';
  } catch {
    return 'database';
  }
}

/**
 * Runs one backup job: reads the source through the data path, stores the manifest, and records
 * the snapshot together with snapshot.stored and backup.completed in one transaction.
 */
@Injectable()
export class BackupRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BackupRunner');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RepositoryAccess,
    private readonly publisher: EventPublisher,
    private readonly outbox: Outbox,
    private readonly queue: JobQueueService,
    private readonly retention: RetentionService,
  ) {}

  /** The first backup or restore should not wait for its data thread to load. */
  onApplicationBootstrap(): void {
    warmDataThread();
  }

  async onApplicationShutdown(): Promise<void> {
    await closeDataThreads();
  }

  /**
   * `signal` cancels the backup: reading stops (the data thread's repository calls are refused,
   * pg_dump is killed), no manifest is written and BackupCancelledError is thrown. Once the
   * manifest is being written the backup finishes: that is cheaper than leaving a manifest behind.
   */
  async run(lease: JobLease, request: BackupRequested, stream?: { name: string; body: Readable }, signal?: AbortSignal): Promise<SnapshotEntity> {
    await this.repo.keys.refresh(); // a rotation on another worker: this backup seals under the new generation
    const store = this.repo.storeFor(request.objectLock);
    const repository = this.repo.chunksFor({ jobId: lease.id, policyId: request.policyId, tenant: lease.tenant }, 'primary', store);
    let snapshot: SnapshotEntity;
    try {
      snapshot = await this.backUp(lease, request, repository, store, stream, signal);
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      if (error instanceof BackupCancelledError) {
        error.storedPacks = repository.storedPacks;
        throw error;
      }
      const failure = error instanceof BackupStageError ? error : new BackupStageError('manifest', `recording the snapshot failed: ${(error as Error).message}`, { cause: error });
      failure.storedPacks = repository.storedPacks;
      throw failure;
    }
    if (request.policyId) await this.applyRetention(request.policyId, lease);
    return snapshot;
  }

  /**
   * After each successful backup of a policy its retention rules run. The backup is complete
   * whatever happens here: a retention that cannot run now (the policy service unreachable) is
   * logged and runs again after the next backup or on POST /policies/:id/forget.
   */
  private async applyRetention(policyId: string, { id: jobId, tenant }: JobLease): Promise<void> {
    try {
      const plan = await this.retention.apply(policyId, { actor: 'retention', jobId, tenant });
      if (plan.forget.length > 0) this.logger.log(`policy ${policyId}: retention forgot ${plan.forget.length} snapshot(s)`);
    } catch (error) {
      this.logger.warn(`policy ${policyId}: retention after job ${jobId} did not run: ${(error as Error).message}`);
    }
  }

  private async backUp(lease: JobLease, request: BackupRequested, repository: ServiceChunkRepository, store: ObjectStore, stream?: { name: string; body: Readable }, signal?: AbortSignal): Promise<SnapshotEntity> {
    const jobId = lease.id;
    const source = request.source;
    if (request.objectLock) await this.requireObjectLock(store, request);
    const parent = stream ? null : await this.repo.catalog.latestOf(lease.tenant, source);
    await this.publisher.publish(TOPICS.backupStarted, {
      jobId, source: redactedSource(source), worker: `${os.hostname()}:${process.pid}`, ...(request.policyId ? { policyId: request.policyId } : {}), ...(parent ? { parentSnapshotId: parent.id } : {}),
    }, { jobId, tenant: lease.tenant });

    // The progress bar's total: what the parent snapshot read, or, for a first backup, a walk beside
    // the backup (not before it: a million files take a while to stat, and the walk costs CPU the
    // backup would use, which a re-backup need not pay).
    let totalBytes: number | undefined = parent && source.kind === 'directory' ? parent.stats.bytesRead : undefined;
    if (source.kind === 'directory' && totalBytes === undefined) void treeSize(source.path!).then((size) => { totalBytes = size; }, () => undefined);
    // The data path runs on a data thread (see WorkerArchiver): directories are read there, streams pulled across to it.
    const archiver = new WorkerArchiver({
      key: this.repo.keys.keyFor(lease.tenant), // the tenant's chunk ids: dedupe stays within the tenant
      repository,
      parent: parent ? await this.parentManifest(parent) : undefined,
      packSize: process.env.ARCA_PACK_SIZE ? Number(process.env.ARCA_PACK_SIZE) : undefined,
      bandwidthLimitBytesPerSec: request.bandwidthLimitBytesPerSec,
      onProgress: (p) => {
        void this.publisher.publish(TOPICS.backupProgress, {
          jobId, files: p.files, bytesRead: p.bytesRead, bytesNew: p.bytesNew, bytesStored: p.bytesStored,
          ...(totalBytes !== undefined ? { totalBytes } : {}), ...(p.currentPath ? { currentPath: p.currentPath } : {}),
        }, { jobId, tenant: lease.tenant }).catch(() => undefined); // progress is advisory: a lost one is replaced by the next
      },
    });

    const result = await this.archive(archiver, source, stream, signal);
    if (signal?.aborted) throw new BackupCancelledError(cancelReason(signal));
    const snapshotId = randomBytes(32).toString('hex');
    const s = result.stats;
    const statsBeforeManifest: BackupStats = {
      files: s.files, dirs: s.dirs, bytesRead: s.bytesRead, bytesNew: s.bytesNew, bytesStored: s.bytesStored, chunks: s.chunks, newChunks: s.newChunks,
      ...backupRatios({ bytesRead: s.bytesRead, bytesNew: s.bytesNew, bytesStored: s.bytesStored }),
      durationMs: s.durationMs, throughputBytesPerSec: s.throughputBytesPerSec,
    };
    const repositoryId = this.repo.catalog.repositoryId;
    // What the catalogue records rides in the sealed manifest too, so `arca repository recover` rebuilds the row from the bucket alone.
    const manifest: Manifest = {
      version: 2, snapshotId, time: new Date().toISOString(), hostname: os.hostname(), source: { ...source }, root: result.root,
      ...(parent ? { parentId: parent.id } : {}),
      repositoryId, tenant: lease.tenant, jobId, ...(request.policyId ? { policyId: request.policyId } : {}), stats: { ...statsBeforeManifest },
    };
    const key = manifestKey(snapshotId);
    let manifestBytes: Buffer;
    try {
      // The pack list first, the manifest last: a manifest in the store always has its packs listed.
      // New keys (the snapshot's id is new): a transient fault is retried within the job.
      await retryInJob(this.logger, jobId, 'storing the pack list', () => store.put(packListKey(snapshotId), encodePackList(result.packKeys)));
      const encoded = await encodeManifest(this.repo.keys.keyFor(lease.tenant), manifest);
      manifestBytes = encoded;
      await retryInJob(this.logger, jobId, 'storing the manifest', () => store.put(key, encoded));
      await this.repo.keys.countSealed(sealedGeneration(encoded), 1);
    } catch (error) {
      throw new BackupStageError('manifest', `storing the manifest failed: ${(error as Error).message}`, { cause: error });
    }
    const stats: BackupStats = { ...statsBeforeManifest, bytesStored: s.bytesStored + manifestBytes.length };

    return this.dataSource.transaction(async (m) => {
      // First: the fenced update locks the job's row, so no worker can take the job over while this commits.
      await this.queue.finish(m, lease, { status: 'completed' });
      const snapshot = m.create(SnapshotEntity, {
        id: snapshotId, repositoryId, tenant: lease.tenant, time: new Date(manifest.time), sourceKind: source.kind, sourceId: sourceIdentity(source), hostname: manifest.hostname,
        policyId: request.policyId ?? null, parentId: parent?.id ?? null, jobId, manifestKey: key, stats,
      });
      await m.save(snapshot);
      for (const pack of repository.storedPacks) await this.outbox.enqueue(m, TOPICS.packStored, pack, { jobId, tenant: lease.tenant });
      const common = { jobId, snapshotId, source: redactedSource(source), ...(request.policyId ? { policyId: request.policyId } : {}) };
      await this.outbox.enqueue(m, TOPICS.snapshotStored, {
        ...common, manifestKey: key, time: manifest.time, stats, packListKey: packListKey(snapshotId), packCount: result.packKeys.length,
        ...(parent ? { parentSnapshotId: parent.id } : {}),
      }, { jobId, tenant: lease.tenant });
      const skipped = result.errors.slice(0, SKIPPED_LISTED).map((e) => ({ path: e.path.slice(0, 4096), reason: e.reason.slice(0, 4000) }));
      await this.outbox.enqueue(m, TOPICS.backupCompleted, {
        ...common, manifestKey: key, stats, errors: result.errorCount, ...(skipped.length > 0 ? { skipped } : {}),
      }, { jobId, tenant: lease.tenant });
      return snapshot;
    });
  }

  /** Before reading anything: a store without object lock would refuse the job's first pack anyway, after reading up to a pack's worth. */
  private async requireObjectLock(store: ObjectStore, request: BackupRequested): Promise<void> {
    let problem: string | null;
    try {
      problem = await objectLockProblem(store, request);
    } catch (error) {
      throw new BackupStageError('store', (error as Error).message, { cause: error });
    }
    if (problem) throw new BackupStageError('store', problem);
  }

  /**
   * The parent's manifest, or none when it cannot be read (its object lost or damaged): the
   * backup then reads every file again instead of failing, and the snapshot is still complete.
   */
  private async parentManifest(parent: SnapshotEntity): Promise<Manifest | undefined> {
    try {
      return await this.repo.catalog.manifest(parent);
    } catch (error) {
      this.logger.warn(`parent snapshot ${parent.id} unreadable (${(error as Error).message}); reading every file`);
      return undefined;
    }
  }

  private async archive(archiver: WorkerArchiver, source: SourceSpec, stream?: { name: string; body: Readable }, signal?: AbortSignal): Promise<ArchiveResult> {
    try {
      if (stream) return await archiver.archiveStream(stream.name, stream.body, { signal });
      if (source.kind === 'directory') return await archiver.archiveDirectory(source.path!, { signal });
      if (source.kind === 'postgres') {
        const password = source.secretRef ? await sourcePassword(source.secretRef) : undefined;
        const dump = pgDump(source.connection!, password);
        signal?.addEventListener('abort', dump.stop, { once: true });
        try {
          const [result] = await Promise.all([archiver.archiveStream(`${databaseName(source.connection!)}.sql`, dump.stream, { signal }), dump.done]);
          return result;
        } finally {
          signal?.removeEventListener('abort', dump.stop);
        }
      }
      throw new BackupStageError('read', 'a stream source is backed up by uploading it (POST /streams or `arca backup --stdin`)');
    } catch (error) {
      if (signal?.aborted) throw new BackupCancelledError(cancelReason(signal));
      if (error instanceof BackupStageError) throw error;
      if (stream && uploadBrokeOff(error)) {
        throw new BackupStageError('read', `the upload of ${stream.name} broke off before its end (the client disconnected or the connection dropped); no snapshot was made`, { cause: error });
      }
      const message = (error as Error).message;
      throw new BackupStageError(/dedupe-index|index/.test(message) ? 'index' : /object|S3|bucket|put/i.test(message) ? 'store' : 'read', message, { cause: error });
    }
  }
}
