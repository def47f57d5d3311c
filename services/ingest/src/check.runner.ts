import { CheckRequested, TOPICS } from '@arca/contracts';
import { checkRepository, Manifest } from '@arca/datapath';
import { Outbox } from '@arca/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { chunksToForget, repairSummary, splitSuperseded } from './check-repair';
import { RepositoryAccess } from './repository-access';
import { IngestJobEntity } from './entities/ingest-job.entity';

/** Runs one check job over the packs in the object store and every catalogued snapshot (and, asked to, repairs the index). */
@Injectable()
export class CheckRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RepositoryAccess,
    private readonly outbox: Outbox,
  ) {}

  async run(jobId: string, request: CheckRequested): Promise<void> {
    const started = Date.now();
    const packKeys: string[] = [];
    for await (const item of this.repo.store.list('data/')) packKeys.push(item.key);
    const manifests: Manifest[] = [];
    const unreadable: Array<{ snapshotId: string; reason: string }> = [];
    for (const snapshot of await this.repo.catalog.list()) {
      try {
        manifests.push(await this.repo.catalog.manifest(snapshot));
      } catch (error) {
        unreadable.push({ snapshotId: snapshot.id, reason: (error as Error).message });
      }
    }
    const report = await checkRepository({
      key: this.repo.keys.key, packKeys, manifests, percent: request.percent,
      readPack: (key) => this.repo.store.get(key),
      indexedChunks: (key) => this.repo.index.packChunks(key),
    });
    // Chunks a snapshot references that no pack holds (a deleted or lost pack) are damage too.
    const indexed = new Map([...(await this.repo.index.locate([...new Set(manifests.flatMap((m) => m.entries.flatMap((e) => e.chunks ?? [])))]))].map(([id, l]) => [id, l.packKey]));
    for (const manifest of manifests) {
      for (const entry of manifest.entries) {
        for (const id of entry.chunks ?? []) {
          if (indexed.has(id)) continue;
          const existing = report.damaged.find((d) => d.chunkId === id);
          if (existing) {
            if (!existing.snapshots.includes(manifest.snapshotId)) existing.snapshots.push(manifest.snapshotId);
            if (!existing.files.includes(entry.path)) existing.files.push(entry.path);
          } else {
            report.damaged.push({ chunkId: id, packKey: '', reason: 'missing: no pack holds this chunk', snapshots: [manifest.snapshotId], files: [entry.path] });
          }
        }
      }
    }
    // A snapshot whose manifest is lost or damaged is damage too: none of its files can be restored.
    for (const u of unreadable) report.damaged.push({ chunkId: '', packKey: '', reason: `manifest unreadable: ${u.reason}`, snapshots: [u.snapshotId], files: ['/'] });
    // Damaged copies a repair and a later backup replaced are no longer damage any restore meets.
    const { damaged, superseded } = splitSuperseded(report.damaged, indexed, new Set(packKeys));
    // Repair: the index forgets what is damaged or lost, so the next backup stores it again instead of referencing it.
    const repair = request.repair ? repairSummary(damaged, await this.repo.index.forget(chunksToForget(damaged, indexed))) : undefined;
    await this.dataSource.transaction(async (m) => {
      await this.outbox.enqueue(m, TOPICS.checkCompleted, {
        jobId, ...report, damaged, durationMs: Date.now() - started, ...(superseded.length ? { superseded } : {}), ...(repair ? { repair } : {}),
      }, { jobId });
      await m.update(IngestJobEntity, { id: jobId }, { status: 'completed', finishedAt: new Date(), leaseUntil: null });
    });
  }
}
