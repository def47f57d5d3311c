import { ChunkLocation, ChunkSource, Manifest, PackEntry, RecoveredPack, SnapshotState } from '@arca/datapath';

/**
 * What a recovery has read from the bucket, kept in Postgres (ingest's unlogged recover_* tables,
 * rows keyed by the job) rather than in memory, so a recovery's memory does not grow with the
 * repository. The bounds, per recovery:
 * - one pack's header entries at a time (at most MAX_PACK_CHUNKS, 16,384) as headers are read and
 *   as packs are registered in the dedupe index;
 * - RECOVER_ID_BATCH chunk ids at a time as each snapshot's tree is walked, plus the walk's own
 *   directory listings (one directory at a time);
 * - RECOVER_PAGE manifests, or pack outcomes, at a time as the catalogue and storage accounting
 *   are written.
 * What stays in memory regardless is a count per phase and at most RECOVER_SKIPPED_LISTED skipped keys.
 */
export const RECOVER_ID_BATCH = 1_000;
export const RECOVER_PAGE = 200;

/** A statement runner: the data source, or a transaction's manager (both have query). */
export interface Sql {
  query(text: string, parameters?: unknown[]): Promise<unknown>;
}

export interface StagedManifest {
  manifest: Manifest;
  size: number;
  state: SnapshotState | null;
  packCount: number;
}

export interface StagedPackOutcome {
  key: string;
  size: number;
  tenant: string;
  chunkCount: number;
  rawBytes: number;
}

/** Splits a stream of ids into arrays of at most `size` (the last one shorter, none empty). */
export async function* inBatches<T>(items: AsyncIterable<T> | Iterable<T>, size: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`a batch size is a whole number of at least 1, got ${size}`);
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

export class RecoverStaging {
  constructor(private readonly db: Sql, private readonly schema: string, private readonly jobId: string) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  }

  private table(name: string): string {
    return `"${this.schema}".${name}`;
  }

  private async rows<T>(text: string, parameters: unknown[], db: Sql = this.db): Promise<T[]> {
    return (await db.query(text, parameters)) as T[];
  }

  /** Removes this job's rows (before it starts, and once it ended either way). */
  async clear(): Promise<void> {
    for (const table of ['recover_chunk_tenants', 'recover_chunks', 'recover_packs', 'recover_manifests']) {
      await this.db.query(`DELETE FROM ${this.table(table)} WHERE job_id = $1`, [this.jobId]);
    }
  }

  /** A pack's header, the `seq`th pack read: a chunk in several packs is placed in the first pack staged. */
  async addPack(seq: number, pack: RecoveredPack): Promise<void> {
    await this.db.query(`INSERT INTO ${this.table('recover_packs')} (job_id, seq, key, size) VALUES ($1, $2, $3, $4)`, [this.jobId, seq, pack.key, pack.size]);
    if (pack.entries.length === 0) return;
    const e = pack.entries;
    await this.db.query(
      `INSERT INTO ${this.table('recover_chunks')} (job_id, pack_seq, ordinal, id, "offset", length, raw_length, compressed)
       SELECT $1, $2, u.ordinal, decode(u.id, 'hex'), u.off, u.len, u.raw, u.comp
       FROM unnest($3::int[], $4::text[], $5::bigint[], $6::int[], $7::int[], $8::bool[]) AS u(ordinal, id, off, len, raw, comp)`,
      [this.jobId, seq, e.map((_, i) => i), e.map((x) => x.id), e.map((x) => x.offset), e.map((x) => x.length), e.map((x) => x.rawLength), e.map((x) => x.compressed)],
    );
  }

  /** Chunk locations from the staged headers: how the trees are read before any index exists. */
  chunkSource(store: { get(key: string): Promise<Buffer>; getRange(key: string, offset: number, length: number): Promise<Buffer> }): ChunkSource {
    return {
      locate: (ids) => this.locate(ids),
      readPack: (packKey) => store.get(packKey),
      readRange: (packKey, offset, length) => store.getRange(packKey, offset, length),
    };
  }

  async locate(ids: string[]): Promise<Map<string, ChunkLocation>> {
    const out = new Map<string, ChunkLocation>();
    for (let i = 0; i < ids.length; i += RECOVER_ID_BATCH) {
      const found = await this.rows<{ id: string; key: string; offset: string; length: number }>(
        `SELECT DISTINCT ON (c.id) encode(c.id, 'hex') AS id, p.key, c."offset", c.length
         FROM ${this.table('recover_chunks')} c JOIN ${this.table('recover_packs')} p ON p.job_id = c.job_id AND p.seq = c.pack_seq
         WHERE c.job_id = $1 AND c.id IN (SELECT decode(x, 'hex') FROM unnest($2::text[]) AS x)
         ORDER BY c.id, c.pack_seq`,
        [this.jobId, ids.slice(i, i + RECOVER_ID_BATCH)],
      );
      for (const r of found) out.set(r.id, { packKey: r.key, offset: Number(r.offset), length: r.length });
    }
    return out;
  }

  /** These chunks are the tenant's, unless an earlier snapshot's walk named them another's already. */
  async markTenant(ids: string[], tenant: string): Promise<void> {
    for (let i = 0; i < ids.length; i += RECOVER_ID_BATCH) {
      await this.db.query(
        `INSERT INTO ${this.table('recover_chunk_tenants')} (job_id, id, tenant) SELECT $1, decode(x, 'hex'), $3 FROM unnest($2::text[]) AS x ON CONFLICT DO NOTHING`,
        [this.jobId, ids.slice(i, i + RECOVER_ID_BATCH), tenant],
      );
    }
  }

  /** The staged packs in the order read, one at a time, each with its entries and the tenant of each entry a walk named. */
  async *packs(): AsyncGenerator<{ seq: number; pack: RecoveredPack; chunkTenant: Map<string, string> }> {
    let after = -1;
    for (;;) {
      const page = await this.rows<{ seq: number; key: string; size: string }>(
        `SELECT seq, key, size FROM ${this.table('recover_packs')} WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT ${RECOVER_PAGE}`, [this.jobId, after]);
      if (page.length === 0) return;
      for (const p of page) {
        const rows = await this.rows<{ id: string; offset: string; length: number; raw_length: number; compressed: boolean; tenant: string | null }>(
          `SELECT encode(c.id, 'hex') AS id, c."offset", c.length, c.raw_length, c.compressed, t.tenant
           FROM ${this.table('recover_chunks')} c LEFT JOIN ${this.table('recover_chunk_tenants')} t ON t.job_id = c.job_id AND t.id = c.id
           WHERE c.job_id = $1 AND c.pack_seq = $2 ORDER BY c.ordinal`,
          [this.jobId, p.seq],
        );
        const entries: PackEntry[] = rows.map((r) => ({ id: r.id, offset: Number(r.offset), length: r.length, rawLength: r.raw_length, compressed: r.compressed }));
        const chunkTenant = new Map<string, string>();
        for (const r of rows) if (r.tenant !== null) chunkTenant.set(r.id, r.tenant);
        yield { seq: p.seq, pack: { key: p.key, size: Number(p.size), entries }, chunkTenant };
      }
      after = page[page.length - 1].seq;
    }
  }

  /** What registering a pack found: its own tenant and figures, for its pack.stored. */
  async setPackOutcome(seq: number, outcome: { tenant: string; chunkCount: number; rawBytes: number }): Promise<void> {
    await this.db.query(`UPDATE ${this.table('recover_packs')} SET tenant = $3, chunk_count = $4, raw_bytes = $5 WHERE job_id = $1 AND seq = $2`,
      [this.jobId, seq, outcome.tenant, outcome.chunkCount, outcome.rawBytes]);
  }

  /** The registered packs' outcomes, a page at a time (`db`: the transaction that writes their events). */
  async *packOutcomes(db: Sql = this.db): AsyncGenerator<StagedPackOutcome> {
    let after = -1;
    for (;;) {
      const page = await this.rows<{ seq: number; key: string; size: string; tenant: string; chunk_count: number; raw_bytes: string }>(
        `SELECT seq, key, size, tenant, chunk_count, raw_bytes FROM ${this.table('recover_packs')} WHERE job_id = $1 AND seq > $2 AND chunk_count IS NOT NULL ORDER BY seq LIMIT ${RECOVER_PAGE}`,
        [this.jobId, after], db);
      if (page.length === 0) return;
      for (const p of page) yield { key: p.key, size: Number(p.size), tenant: p.tenant, chunkCount: p.chunk_count, rawBytes: Number(p.raw_bytes) };
      after = page[page.length - 1].seq;
    }
  }

  async addManifest(seq: number, staged: StagedManifest): Promise<void> {
    await this.db.query(`INSERT INTO ${this.table('recover_manifests')} (job_id, seq, manifest, size, state, pack_count) VALUES ($1, $2, $3, $4, $5, $6)`,
      [this.jobId, seq, JSON.stringify(staged.manifest), staged.size, staged.state ? JSON.stringify(staged.state) : null, staged.packCount]);
  }

  /** The staged manifests in the order read, a page at a time (`db`: the transaction that writes the catalogue). */
  async *manifests(db: Sql = this.db): AsyncGenerator<StagedManifest> {
    let after = -1;
    for (;;) {
      const page = await this.rows<{ seq: number; manifest: string; size: string; state: string | null; pack_count: number }>(
        `SELECT seq, manifest, size, state, pack_count FROM ${this.table('recover_manifests')} WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT ${RECOVER_PAGE}`, [this.jobId, after], db);
      if (page.length === 0) return;
      for (const m of page) yield { manifest: JSON.parse(m.manifest) as Manifest, size: Number(m.size), state: m.state ? (JSON.parse(m.state) as SnapshotState) : null, packCount: m.pack_count };
      after = page[page.length - 1].seq;
    }
  }
}
