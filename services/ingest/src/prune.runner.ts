import { DEFAULT_TENANT, packListKey, PACKS_DELETED_BATCH, PrunePhase, PruneRequested, TOPICS } from '@arca/contracts';
import {
  DEFAULT_PACK_SIZE, extractChunk, isPackKey, MAX_PACK_CHUNKS, PackUsage, PackWriter, planPrune, planReseal, readPackHeader, resealChunk, sealedGeneration, snapshotReferences,
} from '@arca/datapath';
import { EventPublisher, Outbox } from '@arca/messaging';
import { qualifiedTable } from '@arca/persistence';
import { deletableNow, ObjectLockedError } from '@arca/object-store';
import { Injectable, Logger } from '@nestjs/common';
import { existsSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { SnapshotEntity } from './entities/snapshot.entity';
import { JobLease, JobQueueService } from './job-queue.service';
import { RepositoryAccess } from './repository-access';
import { inJob, Retry } from './transient-retry';

/** restic's default --max-unused: 5% of the bytes stored may stay unused after a prune. */
export const DEFAULT_MAX_UNUSED_PERCENT = 5;
/** How often the prune looks whether the jobs it waits for have ended. */
const WAIT_POLL_MS = 500;

/**
 * Fault injection for the crash tests: with ARCA_FAULT_DIR set, a file `prune-<step>` in it makes
 * the process kill itself (SIGKILL, no cleanup) when a prune reaches that step, once (the file is
 * removed first). Unset in production, where this costs one environment lookup per step.
 */
function crashPoint(step: string): void {
  const dir = process.env.ARCA_FAULT_DIR;
  if (!dir) return;
  const marker = path.join(dir, `prune-${step}`);
  if (!existsSync(marker)) return;
  unlinkSync(marker);
  process.kill(process.pid, 'SIGKILL');
}

interface Counters {
  packsLocked: number;
  packsDeleted: number;
  packsRewritten: number;
  packsWritten: number;
  orphansDeleted: number;
  packsRescued: number;
  bytesDeleted: number;
  bytesWritten: number;
}

/**
 * Runs one prune job: reclaims the packs no live snapshot references, beside running backups and
 * without a lock that stops them. The protocol (docs/architecture.md, "Prune"):
 *
 * 1. mark: walk every live snapshot (held ones included) and collect the chunks they reference;
 * 2. plan: from the index, packs holding nothing referenced, and packs mostly unused (rewrite);
 * 3. rewrite: copy the referenced chunks of those packs, sealed as they are, into new packs;
 * 4. condemn: from now on lookups and reuse checks no longer see the condemned packs' chunks, so
 *    a backup stores them anew rather than coming to depend on them;
 * 5. wait: until every job that was running at the condemnation has ended (it may have seen a
 *    condemned chunk before and reference it in its snapshot);
 * 6. recheck: walk the snapshots catalogued since the mark, and rescue any condemned pack one needs;
 * 7. sweep: drop the condemned packs' chunk rows, delete their objects, then the packs' rows;
 *    delete pack objects the index never knew (a crash between upload and registration) and
 *    forgotten snapshots' manifests.
 *
 * Every step leaves the repository consistent: a prune killed anywhere is finished by the next
 * (packs it condemned stay condemned until a prune rescues or sweeps them; packs in `deleting`
 * are deleted first thing).
 */
@Injectable()
export class PruneRunner {
  private readonly logger = new Logger('PruneRunner');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RepositoryAccess,
    private readonly publisher: EventPublisher,
    private readonly outbox: Outbox,
    private readonly queue: JobQueueService,
  ) {}

  async run(lease: JobLease, request: PruneRequested): Promise<void> {
    await this.repo.keys.refresh(); // generations another worker added since this one started
    const jobId = lease.id;
    const started = Date.now();
    const dryRun = request.dryRun === true;
    const maxUnused = (request.maxUnusedPercent ?? DEFAULT_MAX_UNUSED_PERCENT) / 100;
    const counters: Counters = { packsLocked: 0, packsDeleted: 0, packsRewritten: 0, packsWritten: 0, orphansDeleted: 0, packsRescued: 0, bytesDeleted: 0, bytesWritten: 0 };
    const progress = (phase: PrunePhase, done: number, total?: number) => {
      void this.publisher.publish(TOPICS.pruneProgress, { jobId, phase, done, ...(total !== undefined ? { total } : {}) }, { jobId }).catch(() => undefined);
    };
    await this.publisher.publish(TOPICS.pruneStarted, { jobId, dryRun, worker: `${os.hostname()}:${process.pid}` }, { jobId });

    // An interrupted sweep first: those packs' rows are gone, only their objects remain.
    if (!dryRun) await this.deletePacks(jobId, await this.repo.index.packsIn('deleting'), counters);

    // What the store holds, listed before anything is condemned: an object here that no index row
    // names once every job then running has ended is an orphan (see step 7).
    const stored = new Map<string, number>();
    for await (const item of this.repo.store.list('data/')) if (isPackKey(item.key)) stored.set(item.key, item.size);

    const retry = inJob(this.logger, jobId);
    const marked = await this.mark(new Set(), retry, (n, total) => progress('mark', n, total));
    crashPoint('marked');

    const usage: PackUsage[] = [];
    const indexed = new Set<string>();
    for await (const pack of this.repo.index.packs()) {
      indexed.add(pack.key);
      if (pack.state !== 'deleting') usage.push({ ...pack, state: pack.state });
    }
    // Packs an object lock keeps until its date are neither deleted nor rewritten (rewriting would only copy data).
    const first = planPrune(usage, marked.referenced, maxUnused);
    const locked = await this.lockedNow([...first.condemn, ...first.rewrite.map((r) => r.key)]);
    const pruned = locked.size > 0 ? planPrune(usage, marked.referenced, maxUnused, locked) : first;
    const plan = request.resealOldGenerations ? await this.withReseal(pruned, usage, marked.referenced) : pruned;
    counters.packsLocked = locked.size;
    progress('plan', usage.length, usage.length);
    const orphanCandidates = [...stored.keys()].filter((key) => !indexed.has(key));

    if (dryRun) {
      counters.packsDeleted = plan.condemn.length + plan.rewrite.length;
      counters.packsRewritten = plan.rewrite.length;
      counters.bytesDeleted = plan.bytesReleased + orphanCandidates.reduce((n, k) => n + stored.get(k)!, 0);
      counters.bytesWritten = plan.bytesRewritten;
      counters.orphansDeleted = orphanCandidates.length;
      return this.finish(lease, { dryRun, started, counters, plan, purged: [], note: 'dry run: nothing was changed' });
    }

    // Rescues first: a pack an earlier prune condemned that a live snapshot needs must answer lookups again.
    counters.packsRescued += (await this.repo.index.setPackState(plan.rescue, 'live')).length;
    await this.rewrite(jobId, plan.rewrite, counters, (n) => progress('repack', n, plan.rewrite.length));
    crashPoint('rewritten');

    const condemned = new Set([...(await this.repo.index.setPackState([...plan.condemn, ...plan.rewrite.map((r) => r.key)], 'condemned', jobId)), ...plan.condemn]);
    progress('condemn', condemned.size, condemned.size);
    crashPoint('condemned');

    await this.waitForRunningJobs(jobId, (n) => progress('wait', n));
    crashPoint('waited');

    // Snapshots that jobs running during the prune completed: whatever they reference stays.
    const late = await this.mark(marked.snapshots, retry, (n, total) => progress('recheck', n, total));
    const needed = await this.repo.index.locate([...late.referenced], { tenant: undefined }); // every tenant's
    const rescue = [...new Set([...needed.values()].map((at) => at.packKey).filter((key) => condemned.has(key)))];
    if (rescue.length > 0) {
      counters.packsRescued += (await this.repo.index.setPackState(rescue, 'live')).length;
      for (const key of rescue) condemned.delete(key);
      this.logger.log(`prune ${jobId}: ${rescue.length} condemned pack(s) rescued: snapshots completed during the prune reference them`);
    }

    const sweeping = await this.repo.index.setPackState([...condemned], 'deleting');
    crashPoint('swept');
    const sizes = new Map(usage.map((p) => [p.key, p.size]));
    await this.deletePacks(jobId, sweeping.map((key) => ({ key, size: sizes.get(key) ?? 0 })), counters, (n) => progress('sweep', n, sweeping.length));
    crashPoint('deleted');

    // Orphans: listed before the condemnation, still unknown to the index now that every job then running has ended.
    const known = new Set<string>();
    for (const state of ['live', 'condemned', 'deleting'] as const) for (const p of await this.repo.index.packsIn(state)) known.add(p.key);
    const orphans = orphanCandidates.filter((k) => !known.has(k));
    const lockedOrphans = await this.lockedNow(orphans);
    for (const key of orphans.filter((k) => !lockedOrphans.has(k))) {
      await this.repo.store.delete(key);
      counters.orphansDeleted++;
      counters.bytesDeleted += stored.get(key)!;
    }
    counters.packsLocked += lockedOrphans.size;

    const purged = await this.purgeForgotten((n) => progress('purge', n));
    return this.finish(lease, { dryRun, started, counters, plan, purged });
  }

  /**
   * The chunks referenced by live snapshots (forgotten ones are not, held ones are), skipping the
   * snapshots already walked. A snapshot that cannot be read stops the prune: its references are
   * unknown, and deleting what only it needs would be loss.
   */
  private async mark(skip: ReadonlySet<string>, retry: Retry, onProgress: (done: number, total: number) => void): Promise<{ referenced: Set<string>; snapshots: Set<string> }> {
    const referenced = new Set<string>();
    const snapshots = new Set(skip);
    const live = (await this.repo.catalog.listAll()).filter((s) => !skip.has(s.id));
    let done = 0;
    for (const snapshot of live) {
      // each snapshot's listings are under its tenant's chunk ids; reads retried like a check's, so an
      // outage of S3 pauses the mark instead of stopping the prune
      const reader = this.repo.catalog.reader(snapshot.tenant, 'primary', retry);
      let manifest;
      try {
        manifest = await this.repo.catalog.manifest(snapshot, 'primary', retry);
      } catch (error) {
        throw new Error(`snapshot ${snapshot.id} cannot be read (${(error as Error).message}): a prune cannot know what it references, so nothing was deleted; run \`arca check\``, { cause: error });
      }
      const unreadable: string[] = [];
      for await (const ref of snapshotReferences(reader, manifest, (dir, error) => unreadable.push(`${dir.path}: ${error.message}`))) {
        for (const id of ref.chunks) referenced.add(id);
      }
      if (unreadable.length > 0) {
        throw new Error(`snapshot ${snapshot.id} has unreadable directory listings (${unreadable.slice(0, 3).join('; ')}): a prune cannot know what they reference, so nothing was deleted; run \`arca check\``);
      }
      snapshots.add(snapshot.id);
      onProgress(++done, live.length);
    }
    return { referenced, snapshots };
  }

  /**
   * Copies the referenced chunks of mostly unused packs into new packs, and registers each new
   * pack as replacing the packs its chunks came from, so the index moves those rows in the same
   * transaction. A chunk under the newest key generation is copied as it is (its seal is bound to
   * its id, not to its pack); one under an older generation is sealed again under the newest
   * (resealChunk), so a rewritten pack is wholly of the newest generation.
   */
  private async rewrite(jobId: string, packs: Array<{ key: string; keep: string[] }>, counters: Counters, onProgress: (done: number) => void): Promise<void> {
    const packSize = process.env.ARCA_PACK_SIZE ? Number(process.env.ARCA_PACK_SIZE) : DEFAULT_PACK_SIZE;
    const key = this.repo.keys.key;
    const writer = new PackWriter();
    let sources: string[] = [];
    let resealed = 0;
    const flush = async () => {
      if (writer.count === 0) return;
      const pack = await writer.finish(key);
      await this.repo.store.put(pack.key, pack.bytes);
      await this.repo.index.recordPack(pack, DEFAULT_TENANT, sources); // the rows it moves keep their tenants
      await this.repo.keys.countPack(pack.bytes, resealed); // the header, and the chunks sealed anew (copies reuse their nonces' seals)
      resealed = 0;
      await this.publisher.publish(TOPICS.packStored, {
        jobId, packKey: pack.key, size: pack.bytes.length, chunkCount: pack.entries.length, rawBytes: pack.entries.reduce((n, e) => n + e.rawLength, 0), rewrite: true,
      }, { jobId });
      counters.packsWritten++;
      counters.bytesWritten += pack.bytes.length;
      sources = [];
    };
    let done = 0;
    for (const source of packs) {
      const bytes = await this.repo.store.get(source.key);
      const keep = new Set(source.keep);
      sources.push(source.key);
      for (const entry of await readPackHeader(key, bytes, source.key)) {
        if (!keep.has(entry.id)) continue;
        keep.delete(entry.id); // a chunk once, even if the pack held it twice
        const id = Buffer.from(entry.id, 'hex');
        const sealed = extractChunk(bytes, entry);
        const moved = resealChunk(key, id, sealed);
        if (moved !== sealed) resealed++;
        writer.add(id, moved === sealed ? Buffer.from(sealed) : moved, entry.rawLength, entry.compressed);
        if (writer.size >= packSize || writer.count >= MAX_PACK_CHUNKS) {
          await flush();
          sources.push(source.key); // the rest of this pack's chunks go to the next one
        }
      }
      if (keep.size > 0) throw new Error(`pack ${source.key} lacks ${keep.size} chunk(s) the index places in it (its header disagrees with the index); run \`arca check\``);
      counters.packsRewritten++;
      onProgress(++done);
    }
    await flush();
  }

  /**
   * The plan with every pack of an older key generation added to its rewrites (planReseal). Each
   * pack's generation is read from its first bytes, a ranged read per pack; packs under an object
   * lock stay as they are.
   */
  private async withReseal(plan: ReturnType<typeof planPrune>, usage: PackUsage[], referenced: ReadonlySet<string>): Promise<ReturnType<typeof planPrune>> {
    const current = this.repo.keys.key.generation ?? 1;
    if (current === 1) return plan;
    const generations = new Map<string, number>();
    const live = usage.filter((p) => p.state === 'live');
    for (let i = 0; i < live.length; i += 16) {
      await Promise.all(live.slice(i, i + 16).map(async (p) => {
        const generation = sealedGeneration(await this.repo.store.getRange(p.key, 0, Math.min(4, p.size)));
        if (generation !== undefined) generations.set(p.key, generation);
      }));
    }
    const old = [...generations].filter(([, g]) => g < current).map(([key]) => key);
    return planReseal(plan, usage, referenced, generations, current, await this.lockedNow(old));
  }

  /** Waits until no job other than this prune that was running now is still running under the same claim. */
  private async waitForRunningJobs(jobId: string, onProgress: (waitingFor: number) => void): Promise<void> {
    const table = qualifiedTable(this.dataSource, IngestJobEntity);
    const running: Array<{ id: string; attempts: number }> = await this.dataSource.query(
      `SELECT id, attempts FROM ${table} WHERE status = 'running' AND id <> $1`, [jobId],
    );
    let waiting = running;
    while (waiting.length > 0) {
      onProgress(waiting.length);
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      const still: Array<{ id: string }> = await this.dataSource.query(
        `SELECT j.id FROM ${table} j JOIN unnest($1::uuid[], $2::int[]) AS w(id, attempts) ON w.id = j.id AND w.attempts = j.attempts WHERE j.status = 'running'`,
        [waiting.map((w) => w.id), waiting.map((w) => w.attempts)],
      );
      const ids = new Set(still.map((s) => s.id));
      waiting = waiting.filter((w) => ids.has(w.id));
    }
  }

  /** Deletes pack objects whose index rows are gone (state deleting), announces them, then drops their pack rows. */
  private async deletePacks(jobId: string, packs: Array<{ key: string; size: number }>, counters: Counters, onProgress?: (done: number) => void): Promise<void> {
    for (let i = 0; i < packs.length; i += PACKS_DELETED_BATCH) {
      const batch = packs.slice(i, i + PACKS_DELETED_BATCH);
      for (const pack of batch) await this.repo.store.delete(pack.key);
      const bytes = batch.reduce((n, p) => n + p.size, 0);
      // Announced before the rows go: a crash here repeats the deletion and the event, which storage applies once.
      await this.publisher.publish(TOPICS.packsDeleted, { jobId, packKeys: batch.map((p) => p.key), bytes }, { jobId });
      await this.repo.index.forgetPacks(batch.map((p) => p.key));
      counters.packsDeleted += batch.length;
      counters.bytesDeleted += bytes;
      onProgress?.(i + batch.length);
    }
  }

  /** Of these keys, those an object lock keeps now (none on stores without object lock). */
  private async lockedNow(keys: string[]): Promise<Set<string>> {
    const locked = new Set<string>();
    if (keys.length === 0 || !(await this.repo.store.supportsObjectLock())) return locked;
    const now = new Date();
    for (const key of keys) if (!(await deletableNow(this.repo.store, key, now)).deletable) locked.add(key);
    return locked;
  }

  /**
   * Deletes the manifests and pack lists of forgotten snapshots (not held), and records that they
   * are gone. A manifest under object lock stays until its date, and the next prune tries again.
   */
  private async purgeForgotten(onProgress: (done: number) => void): Promise<string[]> {
    const snapshots = this.dataSource.getRepository(SnapshotEntity);
    const forgotten = await snapshots.createQueryBuilder('s')
      .where('s.forgotten_at IS NOT NULL AND s.purged_at IS NULL AND s.held_at IS NULL')
      .andWhere('(s.repository_id = :repositoryId OR s.repository_id IS NULL)', { repositoryId: this.repo.catalog.repositoryId }).getMany();
    const purged: string[] = [];
    for (const [i, s] of forgotten.entries()) {
      try {
        await this.repo.store.delete(packListKey(s.id));
        await this.repo.store.delete(s.manifestKey);
      } catch (error) {
        if (error instanceof ObjectLockedError) continue;
        throw error;
      }
      await snapshots.update({ id: s.id }, { purgedAt: new Date() });
      purged.push(s.id);
      onProgress(i + 1);
    }
    return purged;
  }

  private async finish(lease: JobLease, outcome: { dryRun: boolean; started: number; counters: Counters; plan: ReturnType<typeof planPrune>; purged: string[]; note?: string }): Promise<void> {
    const { counters: c, plan } = outcome;
    await this.dataSource.transaction(async (m) => {
      // First: the fenced update locks the job's row, so no worker can take the job over while this commits.
      await this.queue.finish(m, lease, { status: 'completed' });
      await this.outbox.enqueue(m, TOPICS.pruneCompleted, {
        jobId: lease.id, dryRun: outcome.dryRun, snapshotsPurged: outcome.purged.slice(0, 1000), snapshotsPurgedCount: outcome.purged.length,
        packsDeleted: c.packsDeleted, packsRewritten: c.packsRewritten, packsWritten: c.packsWritten, orphansDeleted: c.orphansDeleted,
        packsRescued: c.packsRescued, packsLocked: c.packsLocked, bytesFreed: Math.max(0, c.bytesDeleted - c.bytesWritten), bytesWritten: c.bytesWritten,
        bytesUnused: plan.unusedAfter, bytesStored: Math.max(0, plan.bytesStored - c.bytesDeleted + c.bytesWritten), durationMs: Date.now() - outcome.started,
        ...(outcome.note ? { note: outcome.note } : {}),
      }, { jobId: lease.id });
    });
  }
}
