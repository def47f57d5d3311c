import { SNAPSHOT_ID_OR_PREFIX, sourceIdentity, SourceSpec } from '@arca/contracts';
import { decodeManifest, Manifest, SnapshotReader } from '@arca/datapath';
import { BadRequestException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { DataSource, FindOptionsWhere, IsNull } from 'typeorm';
import { qualifiedTable } from '@arca/persistence';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { SnapshotEntity } from './entities/snapshot.entity';
import { ChunkIndexClient } from './chunk-index.client';
import { RepositoryKeyService } from './repository-key.service';
import { IndexedChunkSource } from './service-chunk-repository';
import { Site, SiteStores } from './site-stores';
import { ONCE, Retry } from './transient-retry';

/** The snapshot catalogue in Postgres, with manifests loaded from the object store on demand. */
@Injectable()
export class SnapshotCatalogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: RepositoryKeyService,
    private readonly sites: SiteStores,
    private readonly index: ChunkIndexClient,
  ) {}

  /** The repository (key file id) this catalogue serves. */
  get repositoryId(): string {
    return this.keys.key.repositoryId;
  }

  /**
   * Rows of this repository: a database that two repositories share (the same schema prefix, two
   * buckets) holds both catalogues, and each lists, checks and prunes only its own snapshots.
   * Rows from before snapshots named their repository (null) belong to every repository.
   */
  private own(where: FindOptionsWhere<SnapshotEntity>): Array<FindOptionsWhere<SnapshotEntity>> {
    return [{ ...where, repositoryId: this.repositoryId }, { ...where, repositoryId: IsNull() }];
  }

  /** Reads a tenant's snapshot trees (listings are tree objects in packs, under the tenant's chunk ids) from a site; a job passes its `retry`. */
  reader(tenant: string, site: Site = 'primary', retry: Retry = ONCE): SnapshotReader {
    return new SnapshotReader(this.keys.keyFor(tenant), new IndexedChunkSource(this.sites.reads(site, retry), this.index, tenant, retry));
  }

  /** Every tenant that ever ran a job here or owns a snapshot: whose chunk-id keys a repository-wide check accepts. */
  async tenants(): Promise<string[]> {
    const rows: Array<{ tenant: string }> = await this.dataSource.query(
      `SELECT tenant FROM ${qualifiedTable(this.dataSource, IngestJobEntity)} UNION SELECT tenant FROM ${qualifiedTable(this.dataSource, SnapshotEntity)}`,
    );
    return rows.map((r) => r.tenant);
  }

  /** A tenant's live snapshots (not forgotten), newest first. */
  list(tenant: string, filter: { policyId?: string; sourcePath?: string } = {}): Promise<SnapshotEntity[]> {
    return this.dataSource.getRepository(SnapshotEntity).find({
      where: this.own({
        tenant, forgottenAt: IsNull(),
        ...(filter.policyId ? { policyId: filter.policyId } : {}), ...(filter.sourcePath ? { sourceKind: 'directory', sourceId: filter.sourcePath } : {}),
      }),
      order: { time: 'DESC', id: 'DESC' },
    });
  }

  /** How many snapshots this repository's catalogue holds, forgotten ones included (a recover refuses a catalogue that has any). */
  count(): Promise<number> {
    return this.dataSource.getRepository(SnapshotEntity).count({ where: this.own({}) });
  }

  /** Every tenant's live snapshots: for repository-wide work (check, prune), never for a caller. */
  listAll(): Promise<SnapshotEntity[]> {
    return this.dataSource.getRepository(SnapshotEntity).find({ where: this.own({ forgottenAt: IsNull() }), order: { time: 'DESC', id: 'DESC' } });
  }

  /**
   * A tenant's snapshot by id or unique id prefix (at least 4 hex characters). Another tenant's
   * snapshots are not there at all: not found, and never counted when a prefix is ambiguous.
   */
  async get(tenant: string, idOrPrefix: string): Promise<SnapshotEntity> {
    if (!SNAPSHOT_ID_OR_PREFIX.test(idOrPrefix)) throw new BadRequestException(`"${idOrPrefix}" is not a snapshot id (4-64 hex characters)`);
    const matches = await this.dataSource.getRepository(SnapshotEntity).createQueryBuilder('s')
      .where('s.tenant = :tenant AND s.id LIKE :prefix AND (s.repository_id = :repositoryId OR s.repository_id IS NULL)', { tenant, prefix: `${idOrPrefix}%`, repositoryId: this.repositoryId })
      .limit(2).getMany();
    if (matches.length === 0) throw new NotFoundException(`snapshot ${idOrPrefix} not found`);
    if (matches.length > 1) throw new BadRequestException(`snapshot prefix ${idOrPrefix} is ambiguous; give more characters`);
    const [found] = matches;
    if (found.forgottenAt) throw new NotFoundException(`snapshot ${found.id} was forgotten on ${found.forgottenAt.toISOString()} (${found.forgottenReason ?? 'no reason recorded'})`);
    return found;
  }

  /** The newest snapshot of the same source: the parent whose unchanged files a backup reuses. */
  async latestOf(tenant: string, source: SourceSpec): Promise<SnapshotEntity | null> {
    return this.dataSource.getRepository(SnapshotEntity).findOne({
      where: this.own({ tenant, sourceKind: source.kind, sourceId: sourceIdentity(source), forgottenAt: IsNull() }),
      order: { time: 'DESC' },
    });
  }

  async manifest(snapshot: SnapshotEntity, site: Site = 'primary', retry: Retry = ONCE): Promise<Manifest> {
    return decodeManifest(this.keys.keyFor(snapshot.tenant), snapshot.id, await this.sites.reads(site, retry).get(snapshot.manifestKey));
  }

  /** A directory's entries, or the one entry a path to a file or link names (as `ls` does); reads only the listings on the way. */
  async tree(tenant: string, idOrPrefix: string, path: string) {
    const snapshot = await this.get(tenant, idOrPrefix);
    const listed = await this.readable(snapshot, async () => this.reader(tenant).list(await this.manifest(snapshot), path));
    if (!listed) throw new NotFoundException(`${path} is not in snapshot ${snapshot.id}`);
    return listed.map((e) => ({
      name: e.path.slice(e.path.lastIndexOf('/') + 1), path: e.path, type: e.type, size: e.size, mode: e.mode,
      mtime: new Date(Number(BigInt(e.mtimeNs) / 1_000_000n)).toISOString(), ...(e.target ? { target: e.target } : {}), ...(e.linkTo ? { linkTo: e.linkTo } : {}),
    }));
  }

  /**
   * Reading a snapshot's manifest or listings fails only when the repository is damaged (a lost
   * object, a damaged chunk, a forged listing): the answer names the snapshot and the cause, and
   * points at `arca check`, instead of an anonymous 500.
   */
  private async readable<T>(snapshot: SnapshotEntity, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new UnprocessableEntityException(`snapshot ${snapshot.id} cannot be read: ${(error as Error).message} (run \`arca check\` to see what is damaged)`);
    }
  }

  /** A file's versions across the snapshots of one directory source, newest first. */
  async versions(tenant: string, sourcePath: string, filePath: string) {
    const out: Array<{ snapshotId: string; time: Date; size?: number; mtime: string }> = [];
    const reader = this.reader(tenant);
    for (const snapshot of await this.list(tenant, { sourcePath })) {
      const entry = await this.readable(snapshot, async () => reader.find(await this.manifest(snapshot), filePath));
      if (entry?.type === 'file') out.push({ snapshotId: snapshot.id, time: snapshot.time, size: entry.size, mtime: new Date(Number(BigInt(entry.mtimeNs) / 1_000_000n)).toISOString() });
    }
    return out;
  }
}
