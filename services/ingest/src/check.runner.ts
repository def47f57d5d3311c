import { CheckRequested, DamagedChunk, DEFAULT_TENANT, TOPICS, UNREFERENCED_LISTED, UnreferencedPacks } from '@arca/contracts';
import { checkRepository, ChunkReference, snapshotReferences } from '@arca/datapath';
import { Outbox } from '@arca/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { chunksToForget, repairSummary, splitSuperseded } from './check-repair';
import { RepositoryAccess } from './repository-access';
import { JobLease, JobQueueService } from './job-queue.service';
import { inJob } from './transient-retry';

/**
 * Runs one check job over the packs in the object store and every catalogued snapshot (and, asked
 * to, repairs the index); at the replica site, over its packs and the snapshots copied there. Snapshots are read one directory at a time, so a check's memory grows with
 * the repository's chunks, not with the size of any snapshot's tree. Its reads are retried after a
 * transient fault (a pack it could not read because S3 was away is not damage: reported as damage,
 * a repair would make the index forget sound chunks).
 */
@Injectable()
export class CheckRunner {
  private readonly logger = new Logger('CheckRunner');
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RepositoryAccess,
    private readonly outbox: Outbox,
    private readonly queue: JobQueueService,
  ) {}

  async run(lease: JobLease, request: CheckRequested): Promise<void> {
    await this.repo.keys.refresh(); // generations another worker added since this one started
    const jobId = lease.id;
    const started = Date.now();
    const retry = inJob(this.logger, jobId);
    const site = request.site ?? 'primary';
    const store = this.repo.reads(retry, site);
    const packSizes = new Map<string, number>();
    for await (const item of store.list('data/')) packSizes.set(item.key, item.size);
    // At the replica: the snapshots replication has copied there (their manifest is there); the others are not the site's to hold.
    let atSite: Set<string> | undefined;
    if (site !== 'primary') {
      atSite = new Set();
      for await (const item of store.list('snapshots/')) atSite.add(item.key.slice('snapshots/'.length));
    }
    // Snapshots whose manifest or directory listings cannot be read: damage too, none of the files below can be restored.
    const unreadable: DamagedChunk[] = [];
    // Every pack a snapshot's chunks lie in (per the index), to find packs no snapshot references.
    const referencedPacks = new Set<string>();
    const repo = this.repo;
    async function* references(): AsyncGenerator<ChunkReference> {
      for (const snapshot of await repo.catalog.listAll()) {
        if (atSite && !atSite.has(snapshot.id)) continue;
        const reader = repo.catalog.reader(snapshot.tenant, site, retry);
        let manifest;
        try {
          manifest = await repo.catalog.manifest(snapshot, site, retry);
        } catch (error) {
          unreadable.push({ chunkId: '', packKey: '', reason: `manifest unreadable: ${(error as Error).message}`, snapshots: [snapshot.id], files: ['/'] });
          continue;
        }
        const onUnreadable = (dir: { path: string }, error: Error) => unreadable.push({ chunkId: '', packKey: '', reason: `directory listing unreadable: ${error.message}`, snapshots: [snapshot.id], files: [dir.path] });
        for await (const ref of snapshotReferences(reader, manifest, onUnreadable)) {
          yield ref;
          for (const pack of ref.packs ?? []) referencedPacks.add(pack);
        }
      }
    }
    const report = await checkRepository({
      // every tenant's packs are read: a chunk is sound under its own tenant's chunk-id key
      key: this.repo.keys.key, otherKeys: (await this.repo.catalog.tenants()).filter((t) => t !== DEFAULT_TENANT).map((t) => this.repo.keys.keyFor(t)), packKeys: [...packSizes.keys()], references, percent: request.percent,
      readPack: (key) => store.get(key),
      indexedChunks: (key) => retry(`reading the index's rows of ${key}`, () => this.repo.index.packChunks(key)),
    });
    report.damaged.push(...unreadable);
    // Where the index places each damaged chunk now: a copy a repair and a later backup replaced is no longer damage any restore meets.
    const located = await retry('locating the damaged chunks', () => this.repo.index.locate(report.damaged.map((d) => d.chunkId).filter(Boolean), { tenant: undefined }));
    const indexed = new Map([...located].map(([id, at]) => [id, at.packKey]));
    const { damaged, superseded } = splitSuperseded(report.damaged, indexed, new Set(packSizes.keys()));
    // Repair: the index forgets what is damaged or lost, so the next backup stores it again instead of referencing it.
    const repair = request.repair ? repairSummary(damaged, await this.repo.index.forget(chunksToForget(damaged, indexed))) : undefined;
    const unreferenced = unreferencedPacks(packSizes, referencedPacks);
    await this.dataSource.transaction(async (m) => {
      // First: the fenced update locks the job's row, so no worker can take the job over while this commits.
      await this.queue.finish(m, lease, { status: 'completed' });
      await this.outbox.enqueue(m, TOPICS.checkCompleted, {
        jobId, ...report, damaged, durationMs: Date.now() - started, ...(site !== 'primary' ? { site } : {}), ...(superseded.length ? { superseded } : {}), ...(repair ? { repair } : {}),
        ...(unreferenced.count > 0 ? { unreferenced } : {}),
      }, { jobId });
    });
  }
}

/** Packs in the store that hold no chunk any snapshot references. */
export function unreferencedPacks(packSizes: Map<string, number>, referenced: Set<string>): UnreferencedPacks {
  const keys = [...packSizes.keys()].filter((k) => !referenced.has(k)).sort();
  return { count: keys.length, bytes: keys.reduce((n, k) => n + packSizes.get(k)!, 0), keys: keys.slice(0, UNREFERENCED_LISTED) };
}
