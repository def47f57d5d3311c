import { decodePackList, DEFAULT_TENANT, packListKey, PackStored, redactedSource, SourceSpec, RECOVER_SKIPPED_LISTED, RecoverCompleted, RecoveredPoliciesResponse, RecoverPhase, RecoverRequest, RecoverRequested, RecoverSkipped, TOPICS } from '@arca/contracts';
import { decodeManifest, isPackKey, Manifest, SnapshotState, packTenants, parseKeyFile, readPackHeaderRanged, SnapshotReader, snapshotChunkIds } from '@arca/datapath';
import { EventPublisher, Outbox } from '@arca/messaging';
import { ObjectStore } from '@arca/object-store';
import { serviceUrl } from '@arca/service-kit';
import { BadRequestException, ConflictException, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DataSource } from 'typeorm';
import { SnapshotEntity } from './entities/snapshot.entity';
import { JobLease, JobQueueService } from './job-queue.service';
import { PolicyArchiveService } from './policy-archive.service';
import { foreignManifest, recoveredSnapshot } from './recovered-snapshot';
import { inBatches, RECOVER_ID_BATCH, RecoverStaging } from './recover-staging';
import { RepositoryAccess } from './repository-access';
import { replicaConfigured, SiteStores } from './site-stores';
import { SnapshotStateArchive } from './snapshot-state.archive';
import { retryInJob } from './transient-retry';

/** What a recovery copies back from the replica to the primary: every object the repository consists of. */
const REPOSITORY_PREFIXES = ['keys/', 'data/', 'packlists/', 'snapshots/', 'policies/', 'snapshot-state/'];
const MANIFEST_KEY = /^snapshots\/([0-9a-f]{64})$/;
/** Progress is published at most this often per phase (and at each phase's end). */
const PROGRESS_EVERY_MS = 1000;

/** The catalogue columns a recorded state sets (none when the snapshot was never forgotten nor held). */
function stateColumns(state: SnapshotState | null): Partial<SnapshotEntity> {
  if (!state) return {};
  const at = (iso: string | null) => (iso ? new Date(iso) : null);
  return { forgottenAt: at(state.forgottenAt), forgottenReason: state.forgottenReason, heldAt: at(state.heldAt), heldBy: state.heldBy, holdReason: state.holdReason };
}

/**
 * Rebuilds, from one site's bucket and the passphrase alone, what Postgres held: the snapshot
 * catalogue (from the sealed manifests), the dedupe index (from the pack headers, each chunk the
 * tenant's whose snapshots reference it: a walk of every tree) and storage accounting (pack.stored
 * per pack) and the policies (their sealed records, policies/). Nothing it finds in the catalogue or the index is changed: rows are only added.
 */
@Injectable()
export class RecoverRunner {
  private readonly logger = new Logger('RecoverRunner');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RepositoryAccess,
    private readonly sites: SiteStores,
    private readonly publisher: EventPublisher,
    private readonly outbox: Outbox,
    private readonly queue: JobQueueService,
    private readonly policyArchive: PolicyArchiveService,
    private readonly states: SnapshotStateArchive,
  ) {}

  /**
   * Queues a recovery (POST /repository/recover), refusing at once what it would refuse later: a
   * catalogue that holds snapshots already (unless merging), a replica that is not configured.
   */
  async request(body: RecoverRequest, traceHeaders: Record<string, string>): Promise<{ jobId: string }> {
    const request: RecoverRequested = { jobId: randomUUID(), from: body.from ?? 'primary', merge: body.merge === true };
    if (request.from === 'replica' && !replicaConfigured()) throw new BadRequestException('from is replica, but no replica site is configured (set REPLICA_S3_ENDPOINT or REPLICA_OBJECT_STORE_DIR)');
    if (!request.merge) {
      const held = await this.repo.catalog.count();
      if (held > 0) {
        throw new ConflictException(`the catalogue of repository ${this.repo.catalog.repositoryId} holds ${held} snapshot(s) already; recover into an empty database, or pass merge (arca repository recover --merge) to add only the snapshots and chunks it lacks`);
      }
    }
    await this.dataSource.transaction(async (m) => {
      await this.queue.enqueue('recover', request.jobId, { ...request }, traceHeaders, DEFAULT_TENANT, m);
      await this.outbox.enqueue(m, TOPICS.recoverRequested, request, { jobId: request.jobId });
    });
    return { jobId: request.jobId };
  }

  async run(lease: JobLease, request: RecoverRequested): Promise<void> {
    const started = Date.now();
    const jobId = lease.id;
    await this.publisher.publish(TOPICS.recoverStarted, { jobId, from: request.from, worker: `${os.hostname()}:${process.pid}` }, { jobId });
    const source = this.sites.get(request.from);
    const repositoryId = this.repo.catalog.repositoryId;
    await this.requireSameRepository(source, repositoryId);
    const skipped: RecoverSkipped[] = [];
    const skip = (key: string, reason: string) => {
      if (skipped.length < RECOVER_SKIPPED_LISTED) skipped.push({ key: key.slice(0, 200), reason: reason.slice(0, 2000) });
    };
    const progress = this.progressOf(jobId);

    const copied = request.from === 'replica' ? await this.copyToPrimary(jobId, source, progress) : { objects: 0, bytes: 0 };

    // Every pack header: where each chunk is. Staged in Postgres as it is read (RecoverStaging: one pack's entries in memory at a time).
    const staging = new RecoverStaging(this.dataSource, this.dataSource.driver.schema!, jobId);
    await staging.clear(); // a retried job starts again from the bucket
    try {
      await this.recover(lease, request, { started, source, repositoryId, staging, skipped, skip, progress, copied });
    } finally {
      await staging.clear().catch((error: Error) => this.logger.warn(`recovery ${jobId}: its staged rows were not removed: ${error.message}`));
    }
  }

  private async recover(lease: JobLease, request: RecoverRequested, job: {
    started: number; source: ObjectStore; repositoryId: string; staging: RecoverStaging; skipped: RecoverSkipped[];
    skip: (key: string, reason: string) => void; progress: (phase: RecoverPhase, done: number, total?: number) => void; copied: { objects: number; bytes: number };
  }): Promise<void> {
    const { started, source, repositoryId, staging, skipped, skip, progress, copied } = job;
    const jobId = lease.id;
    let packObjects = 0;
    let packCount = 0;
    for await (const object of source.list('data/')) {
      if (!isPackKey(object.key)) continue;
      packObjects++;
      // A read that fails (after its retries) fails the job: a pack left out for a passing fault would be lost to the index.
      const read = (offset: number, length: number) => source.getRange(object.key, offset, length).catch((error: Error) => {
        throw Object.assign(error, { fromStore: true });
      });
      try {
        const entries = await retryInJob(this.logger, jobId, `reading the header of ${object.key}`, () => readPackHeaderRanged(this.repo.keys.key, object.key, object.size, read));
        await staging.addPack(packCount++, { key: object.key, size: object.size, entries });
      } catch (error) {
        if ((error as { fromStore?: boolean }).fromStore) throw error;
        skip(object.key, `pack header unreadable (another repository's pack, or damaged): ${(error as Error).message}`);
      }
      progress('packs', packObjects);
    }
    progress('packs', packObjects, packObjects);

    // Every manifest of this repository, staged as it is read.
    let manifestObjects = 0;
    let manifestCount = 0;
    let snapshotsSkipped = 0;
    for await (const item of source.list('snapshots/')) {
      const id = MANIFEST_KEY.exec(item.key)?.[1];
      if (!id) continue;
      const object = { ...item, id };
      manifestObjects++;
      // Reads that fail fail the job; only a manifest that does not open, or is another repository's, is left out.
      const sealed = await retryInJob(this.logger, jobId, `reading ${object.key}`, () => source.get(object.key));
      let manifest: Manifest;
      try {
        manifest = await decodeManifest(this.repo.keys.key, object.id, sealed);
        const foreign = foreignManifest(manifest, repositoryId);
        if (foreign) throw new Error(foreign);
      } catch (error) {
        snapshotsSkipped++;
        skip(object.key, `manifest not recovered: ${(error as Error).message}`);
        progress('snapshots', manifestObjects);
        continue;
      }
      // Whether it was forgotten or is held: a recovery neither revives the one nor drops the other.
      const state = await retryInJob(this.logger, jobId, `reading the state of snapshot ${object.id}`, () => this.states.read(source, object.id));
      const packs = await retryInJob(this.logger, jobId, `reading the pack list of snapshot ${object.id}`, () => this.packCount(source, object.id));
      await staging.addManifest(manifestCount++, { manifest, size: object.size, state, packCount: packs });
      progress('snapshots', manifestObjects);
    }
    progress('snapshots', manifestObjects, manifestObjects);

    // Whose chunks are whose: each snapshot's tree, read through the staged pack headers, names its tenant's (RECOVER_ID_BATCH ids at a time).
    const headers = staging.chunkSource(source);
    let listingsUnreadable = 0;
    let walked = 0;
    for await (const { manifest } of staging.manifests()) {
      const tenant = manifest.tenant ?? DEFAULT_TENANT;
      const reader = new SnapshotReader(this.repo.keys.keyFor(tenant), headers);
      const ids = snapshotChunkIds(reader, manifest, (path, error) => {
        listingsUnreadable++;
        skip(`snapshots/${manifest.snapshotId}:${path}`, `directory listing unreadable: ${error.message}`);
      });
      for await (const batch of inBatches(ids, RECOVER_ID_BATCH)) await staging.markTenant(batch, tenant);
      progress('trees', ++walked, manifestCount);
    }

    // The dedupe index: each pack registered under the tenants of its chunks (a chunk the index holds already keeps its place).
    let chunksRecovered = 0;
    for await (const { seq, pack, chunkTenant } of staging.packs()) {
      const groups = packTenants(pack, chunkTenant, DEFAULT_TENANT);
      for (const group of groups) {
        await retryInJob(this.logger, jobId, `registering ${pack.key}`, () => this.repo.index.recordPackEntries({ key: pack.key, size: pack.size, entries: group.entries }, group.tenant));
      }
      chunksRecovered += pack.entries.length;
      await staging.setPackOutcome(seq, { tenant: groups[0]?.tenant ?? DEFAULT_TENANT, chunkCount: pack.entries.length, rawBytes: pack.entries.reduce((n, e) => n + e.rawLength, 0) });
      progress('index', seq + 1, packCount);
    }

    // Policies: the newest sealed version of each, unless it was deleted; the policy service adds those it lacks.
    const policies = await this.restorePolicies(jobId, source, skip);
    progress('policies', policies.recovered + policies.kept + policies.skipped, policies.recovered + policies.kept + policies.skipped);

    // The catalogue, storage accounting and the outcome, in one transaction (read back from the staging a page at a time).
    progress('catalogue', 0, manifestCount);
    await this.dataSource.transaction(async (m) => {
      await this.queue.finish(m, lease, { status: 'completed' });
      let recovered = 0;
      for await (const { manifest, size, state, packCount: packs } of staging.manifests(m)) {
        const row = { ...recoveredSnapshot(manifest, size, { jobId, repositoryId }), ...stateColumns(state) };
        const result = await m.createQueryBuilder().insert().into(SnapshotEntity).values(row).orIgnore().returning(['id']).execute();
        recovered += (result.raw as unknown[]).length;
        // Storage accounts live snapshots again (a row it holds already stays as it is).
        if (!row.forgottenAt) {
          await this.outbox.enqueue(m, TOPICS.snapshotRecovered, {
            jobId: row.jobId, snapshotId: row.id, manifestKey: row.manifestKey, time: manifest.time, source: redactedSource(manifest.source as SourceSpec), stats: row.stats,
            packListKey: packListKey(row.id), packCount: packs, ...(row.policyId ? { policyId: row.policyId } : {}), ...(row.parentId ? { parentSnapshotId: row.parentId } : {}),
          }, { jobId, tenant: row.tenant });
        }
      }
      // A pack with no chunks is not a valid pack.stored (chunkCount ≥ 1); such a pack holds nothing to account.
      for await (const p of staging.packOutcomes(m)) {
        if (p.chunkCount > 0) await this.outbox.enqueue(m, TOPICS.packStored, { jobId, packKey: p.key, size: p.size, chunkCount: p.chunkCount, rawBytes: p.rawBytes } satisfies PackStored, { jobId, tenant: p.tenant });
      }
      const completed: RecoverCompleted = {
        jobId, from: request.from, merge: request.merge, repositoryId, snapshotsRecovered: recovered, snapshotsKept: manifestCount - recovered, snapshotsSkipped,
        listingsUnreadable, packsRecovered: packCount, chunksRecovered, packsSkipped: packObjects - packCount,
        policiesRecovered: policies.recovered, policiesKept: policies.kept, policiesSkipped: policies.skipped, objectsCopied: copied.objects, bytesCopied: copied.bytes, skipped, durationMs: Date.now() - started,
      };
      await this.outbox.enqueue(m, TOPICS.recoverCompleted, completed, { jobId });
      this.logger.log(`recovery ${jobId}: ${recovered} snapshot(s), ${packCount} pack(s), ${chunksRecovered} chunk(s) from the ${request.from} site in ${completed.durationMs} ms`);
    });
  }

  private async restorePolicies(jobId: string, source: ObjectStore, skip: (key: string, reason: string) => void): Promise<{ recovered: number; kept: number; skipped: number }> {
    const records = (await this.policyArchive.newest(source)).filter((r) => r.spec !== null);
    if (records.length === 0) return { recovered: 0, kept: 0, skipped: 0 };
    const body = { policies: records.map((r) => ({ policyId: r.policyId, version: r.version, tenant: r.tenant, spec: r.spec, updatedAt: r.updatedAt })) };
    const answer = await retryInJob(this.logger, jobId, 'restoring policies', async () => {
      const response = await fetch(`${serviceUrl('policy')}/policies/recovered`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await response.text();
      if (!response.ok) throw Object.assign(new Error(`the policy service answered ${response.status} restoring policies: ${text}`), { status: response.status });
      return JSON.parse(text) as RecoveredPoliciesResponse;
    });
    for (const s of answer.skipped) skip(`policies/${s.policyId}`, `policy not restored: ${s.reason}`);
    return { recovered: answer.restored.length, kept: answer.kept.length, skipped: answer.skipped.length };
  }

  /** How many packs a snapshot's pack list names (0 when it has none: a manifest older than pack lists). */
  private async packCount(source: ObjectStore, snapshotId: string): Promise<number> {
    if (!(await source.stat(packListKey(snapshotId)))) return 0;
    return decodePackList(await source.get(packListKey(snapshotId))).length;
  }

  /** The bucket must hold this installation's repository: its key file names the repository the passphrase unlocked. */
  private async requireSameRepository(source: ObjectStore, repositoryId: string): Promise<void> {
    const keys: string[] = [];
    for await (const item of source.list('keys/')) keys.push(item.key);
    keys.sort();
    if (keys.length === 0) throw new Error(`${source.describe()} holds no repository key file (keys/): it is not an Arca repository, or it is empty`);
    const keyFile = parseKeyFile(await source.get(keys[0]), keys[0]);
    if (keyFile.repositoryId !== repositoryId) {
      throw new Error(`${source.describe()} holds repository ${keyFile.repositoryId}, but this installation unlocked repository ${repositoryId}; point the platform at that bucket's key (an empty primary adopts the replica's) before recovering`);
    }
  }

  /**
   * A recovery from the replica makes the primary whole again: every object of the repository the
   * primary lacks is copied back, so restores and new backups (whose dedupe reuses recovered
   * chunks) find their packs at the primary.
   */
  private async copyToPrimary(jobId: string, replica: ObjectStore, progress: (phase: RecoverPhase, done: number, total?: number) => void): Promise<{ objects: number; bytes: number }> {
    const primary = this.sites.primary;
    let objects = 0;
    let bytes = 0;
    let seen = 0;
    for (const prefix of REPOSITORY_PREFIXES) {
      for await (const item of replica.list(prefix)) {
        seen++;
        if ((await primary.stat(item.key))?.size !== item.size) {
          const body = await retryInJob(this.logger, jobId, `reading ${item.key} at the replica`, () => replica.get(item.key));
          await retryInJob(this.logger, jobId, `copying ${item.key} to the primary`, () => primary.put(item.key, body));
          objects++;
          bytes += body.length;
        }
        progress('copy', seen);
      }
    }
    progress('copy', seen, seen);
    return { objects, bytes };
  }

  /** recover.progress, at most once a second per phase and at each phase's end (advisory: a lost one is replaced by the next). */
  private progressOf(jobId: string): (phase: RecoverPhase, done: number, total?: number) => void {
    let last = 0;
    let lastPhase: RecoverPhase | undefined;
    return (phase, done, total) => {
      const now = Date.now();
      const end = total !== undefined && done >= total;
      if (phase === lastPhase && !end && now - last < PROGRESS_EVERY_MS) return;
      last = now;
      lastPhase = phase;
      void this.publisher.publish(TOPICS.recoverProgress, { jobId, phase, done, ...(total !== undefined ? { total } : {}) }, { jobId }).catch(() => undefined);
    };
  }
}
