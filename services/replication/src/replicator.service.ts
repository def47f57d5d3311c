import { decodePackList } from '@arca/contracts';
import { ObjectStore } from '@arca/object-store';
import { MetricsService, OBJECT_STORE, REPLICA_OBJECT_STORE } from '@arca/service-kit';
import { extractTraceContext, recordError, runInSpan } from '@arca/telemetry';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, In } from 'typeorm';
import { CopyQueue } from './copy-queue.service';
import { copyDecision, throttleWaitMs } from './copy-rules';
import { ReplicatedObjectEntity } from './entities/replicated-object.entity';
import { ReplicationCopyEntity } from './entities/replication-copy.entity';

/** Pack keys asked about per query (Postgres takes at most 65,535 parameters). */
const KNOWN_BATCH = 10_000;

/** The repository's key files travel with the data: without them the replica cannot be opened. */
const KEY_PREFIX = 'keys/';

/** How often the worker looks for due copies when nothing woke it (a queued snapshot wakes it at once). */
const POLL_MS = 1000;

/** How long a snapshot of a policy replication has not heard of yet waits for its policy.changed before it is copied anyway. */
export const POLICY_WAIT_MS = 60_000;

/** How often the lag metrics are read from the queue and the RPO at the replica sites is watched. */
const METRICS_MS = 2000;


/**
 * Copies queued snapshots to the secondary site, one at a time, oldest due first: every pack a
 * snapshot references that the site does not hold yet, the key files, then the pack list and the
 * manifest last, so a manifest at the replica always has all its packs. Each object copied is
 * recorded at once, so a copy interrupted by a crash resumes with the objects it had not copied.
 * A failed copy is tried again with backoff until it succeeds (CopyQueue.fail).
 */
@Injectable()
export class ReplicatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Replicator');
  private timer?: NodeJS.Timeout;
  private metricsTimer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly lagSeconds;
  private readonly pendingBytes;
  private readonly pendingSnapshots;
  private readonly failures;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: CopyQueue,
    @Inject(OBJECT_STORE) private readonly primary: ObjectStore,
    @Inject(REPLICA_OBJECT_STORE) private readonly replica: ObjectStore,
    metrics: MetricsService,
  ) {
    this.lagSeconds = metrics.gauge('arca_replication_queue_lag_seconds', "Age of the oldest snapshot not yet at the site (0: the site holds every snapshot it is to get)", ['site']);
    this.pendingBytes = metrics.gauge('arca_replication_queue_pending_bytes', 'Bytes of queued snapshots the site does not hold yet', ['site']);
    this.pendingSnapshots = metrics.gauge('arca_replication_queue_pending_snapshots', 'Snapshots queued for the site and not there yet', ['site']);
    this.failures = metrics.counter('arca_replication_copy_failures_total', 'Failed copy attempts (each is retried with backoff)', ['site']);
  }

  async onApplicationBootstrap(): Promise<void> {
    const released = await this.queue.releaseDeadClaims();
    if (released > 0) this.logger.log(`took over ${released} copies of a replication worker that died on this host`);
    this.timer = setTimeout(() => this.wake(), 0);
    const refresh = async () => {
      await this.refreshMetrics().catch((error: Error) => this.logger.warn(`reading the replication lag failed: ${error.message}`));
      if (!this.stopped) this.metricsTimer = setTimeout(refresh, METRICS_MS);
    };
    void refresh();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.metricsTimer);
    await this.running;
  }

  /** Runs the due copies now (a snapshot was queued), unless the worker is at it already. */
  wake(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.running = this.runDue().finally(() => {
      this.running = null;
      if (!this.stopped) this.timer = setTimeout(() => this.wake(), POLL_MS);
    });
  }

  /** Works every due copy, one at a time, until none is due. */
  async runDue(): Promise<void> {
    try {
      await this.runDueObjects();
      for (let copy = await this.queue.claimNext(); copy && !this.stopped; copy = await this.queue.claimNext()) await this.work(copy);
    } catch (error) {
      this.logger.warn(`the copy queue could not be read, will retry: ${(error as Error).message}`);
    }
  }

  /** One attempt at a copy, as a span of the backup's trace (its events and log lines join the job). */
  private work(copy: ReplicationCopyEntity): Promise<void> {
    const attributes = { 'arca.snapshot_id': copy.snapshotId, 'arca.site': copy.site, 'arca.attempt': copy.attempts + 1 };
    return runInSpan('replication copy', { parent: extractTraceContext(copy.traceHeaders), attributes, ...(copy.jobId ? { jobId: copy.jobId } : {}) }, (span) => this.attempt(copy, span));
  }

  private async attempt(copy: ReplicationCopyEntity, span: Parameters<typeof recordError>[0]): Promise<void> {
    const policy = await this.queue.policyOf(copy);
    const decision = copyDecision({ policyId: copy.policyId, queuedAt: copy.queuedAt }, policy, copy.site, new Date(), POLICY_WAIT_MS);
    if (decision === 'wait') return this.queue.postpone(copy, new Date(Date.now() + 2000));
    if (decision === 'skip') {
      const why = policy?.replicate === false ? `policy ${policy.name} has replicate: false` : `policy ${policy?.name} names replicaSites ${JSON.stringify(policy?.replicaSites)}, not ${copy.site}`;
      this.logger.log(`snapshot ${copy.snapshotId} is not copied to ${copy.site}: ${why}`);
      return this.queue.skip(copy, why);
    }
    let figures: { objectsCopied: number; bytesCopied: number };
    try {
      figures = await this.copyObjects(copy);
    } catch (error) {
      recordError(span, error);
      const reason = `copying snapshot ${copy.snapshotId} to ${copy.site} (${this.replica.describe()}) failed: ${(error as Error).message}`;
      this.failures.inc({ site: copy.site });
      const { announced, nextAttemptAt } = await this.queue.fail(copy, reason);
      this.logger.warn(`${reason}; attempt ${copy.attempts + 1}, next at ${nextAttemptAt.toISOString()}${announced ? ' (replication.failed published)' : ''}`);
      return;
    }
    await this.queue.complete(copy, figures);
    if (copy.attempts > 0) this.logger.log(`snapshot ${copy.snapshotId} reached ${copy.site} at attempt ${copy.attempts + 1}`);
  }

  /** One attempt: the objects the site lacks, recorded one by one (so a later attempt skips them). */
  private async copyObjects(copy: ReplicationCopyEntity): Promise<{ objectsCopied: number; bytesCopied: number }> {
    const packKeys = decodePackList(await this.primary.get(copy.packListKey));
    const known = new Set<string>();
    for (let i = 0; i < packKeys.length; i += KNOWN_BATCH) {
      for (const o of await this.dataSource.getRepository(ReplicatedObjectEntity).findBy({ key: In(packKeys.slice(i, i + KNOWN_BATCH)) })) known.add(o.key);
    }
    const missing = packKeys.filter((k) => !known.has(k));
    const keyFiles: Array<{ key: string; size: number }> = [];
    for await (const item of this.primary.list(KEY_PREFIX)) keyFiles.push(item);
    const sizes = new Map<string, number>(keyFiles.map((k) => [k.key, k.size]));
    for (const key of missing) {
      const stat = await this.primary.stat(key);
      if (!stat) throw new Error(`pack "${key}" of its pack list is not at the primary site`);
      sizes.set(key, stat.size);
    }
    const keys = [...missing, ...keyFiles.map((k) => k.key), copy.packListKey, copy.manifestKey];
    let bytesPending = keys.reduce((sum, k) => sum + (sizes.get(k) ?? 0), 0);
    let objectsCopied = copy.objectsCopied;
    let bytesCopied = copy.bytesCopied;
    await this.queue.progress(copy, { bytesPending, bytesCopied, objectsCopied });
    const started = Date.now();
    let sent = 0;
    for (const key of keys) {
      const bytes = await this.primary.get(key);
      await this.replica.put(key, bytes);
      await this.dataSource.createQueryBuilder().insert().into(ReplicatedObjectEntity).values({ key, size: bytes.length }).orUpdate(['size', 'copied_at'], ['key']).execute();
      objectsCopied++;
      bytesCopied += bytes.length;
      bytesPending = Math.max(0, bytesPending - (sizes.get(key) ?? 0));
      await this.queue.progress(copy, { bytesPending, bytesCopied, objectsCopied });
      sent += bytes.length;
      const wait = throttleWaitMs(started, sent, this.queue.settings.bandwidthLimitBytesPerSec, Date.now());
      if (wait > 0) await sleep(wait);
    }
    return { objectsCopied, bytesCopied };
  }

  /** The lag gauges, and the RPO watch at the replica sites (both from the queue, so both hold across restarts). */
  private async refreshMetrics(): Promise<void> {
    const published = await this.queue.watchRpo();
    if (published > 0) this.logger.log(`RPO at the replica sites: ${published} breach or restoration published`);
    for (const site of await this.queue.lag()) {
      this.lagSeconds.set({ site: site.site }, site.lagSeconds);
      this.pendingBytes.set({ site: site.site }, site.bytesPending);
      this.pendingSnapshots.set({ site: site.site }, site.snapshotsPending);
    }
  }

  /**
   * Packs a prune rewrote (put) or deleted (delete) at the primary, queued by their events: the
   * replica needs a rewritten pack for restores of snapshots it already holds (the index now
   * places moved chunks there), and lets deleted packs go. Retried with backoff until done.
   */
  private async runDueObjects(): Promise<void> {
    for (let due = await this.queue.dueObjects(); due.length > 0 && !this.stopped; due = await this.queue.dueObjects()) {
      let progressed = false;
      for (const op of due) {
        try {
          if (op.op === 'put') {
            const bytes = await this.primary.get(op.key);
            await this.replica.put(op.key, bytes);
            await this.dataSource.createQueryBuilder().insert().into(ReplicatedObjectEntity).values({ key: op.key, size: bytes.length }).orUpdate(['size', 'copied_at'], ['key']).execute();
          } else {
            await this.replica.delete(op.key);
            await this.dataSource.getRepository(ReplicatedObjectEntity).delete({ key: op.key });
          }
          await this.queue.objectDone(op);
          progressed = true;
        } catch (error) {
          this.failures.inc({ site: op.site });
          const next = await this.queue.objectFailed(op, (error as Error).message);
          this.logger.warn(`${op.op === 'put' ? 'copying' : 'deleting'} ${op.key} at ${op.site} failed: ${(error as Error).message}; attempt ${op.attempts + 1}, next at ${next.toISOString()}`);
        }
      }
      if (!progressed) return; // all failed: they wait for their backoff
    }
  }
}
