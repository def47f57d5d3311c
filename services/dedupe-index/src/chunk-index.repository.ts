import { Injectable } from '@nestjs/common';
import { qualifiedTable } from '@arca/persistence';
import { DataSource, In } from 'typeorm';
import type { PackState } from '@arca/contracts';
import { ChunkLocationEntity } from './entities/chunk-location.entity';
import { PackEntity } from './entities/pack.entity';

export interface ChunkLocation {
  id: Buffer;
  packKey: string;
  offset: number;
  length: number;
  rawLength: number;
}

export interface PackRecord {
  key: string;
  size: number;
  chunks: Array<Omit<ChunkLocation, 'packKey'>>;
}

/** Rows per INSERT: Postgres allows 65535 bind parameters and a chunk row takes five. */
const INSERT_BATCH = 5000;

/** The global chunk index in Postgres. */
@Injectable()
export class ChunkIndexRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get chunks(): string {
    return qualifiedTable(this.dataSource, ChunkLocationEntity);
  }

  private get packs(): string {
    return qualifiedTable(this.dataSource, PackEntity);
  }

  /**
   * Which of these ids the repository holds where a new snapshot may reference them: hex id → the
   * pack holding it. A chunk in a condemned pack counts as absent, so a backup stores it anew and
   * never comes to depend on bytes a prune is about to delete. Only the tenant's chunks count:
   * another tenant's answer nothing, so a lookup cannot tell whether another tenant stores a chunk.
   */
  async known(tenant: string, ids: Buffer[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: Buffer; pack_key: string }> = await this.dataSource.query(
      `SELECT c.id, c.pack_key FROM ${this.chunks} c JOIN ${this.packs} p ON p.key = c.pack_key AND p.state = 'live' WHERE c.tenant = $2 AND c.id = ANY($1)`, [ids, tenant],
    );
    return new Map(rows.map((r) => [r.id.toString('hex'), r.pack_key]));
  }

  /**
   * Where each of a tenant's ids is (`tenant` undefined: any tenant's, for repository-wide work: check,
   * prune); with `live`, only ids in live packs (what a backup may reuse), otherwise wherever the bytes still are.
   */
  async locate(tenant: string | undefined, ids: Buffer[], live = false): Promise<ChunkLocation[]> {
    if (ids.length === 0) return [];
    if (!live) return this.dataSource.getRepository(ChunkLocationEntity).find({ where: { id: In(ids), ...(tenant !== undefined ? { tenant } : {}) } });
    const rows: Array<{ id: Buffer; pack_key: string; offset: string; length: number; raw_length: number }> = await this.dataSource.query(
      `SELECT c.id, c.pack_key, c."offset", c.length, c.raw_length FROM ${this.chunks} c
        JOIN ${this.packs} p ON p.key = c.pack_key AND p.state = 'live' WHERE c.id = ANY($1) AND ($2::text IS NULL OR c.tenant = $2)`, [ids, tenant ?? null],
    );
    return rows.map((r) => ({ id: r.id, packKey: r.pack_key, offset: Number(r.offset), length: r.length, rawLength: r.raw_length }));
  }

  /**
   * Records a stored pack and its chunks in one transaction. A chunk already indexed in a live pack
   * keeps that location (two workers may race to store the same new chunk; either copy is valid);
   * one indexed in a condemned pack, or in a pack this one `replaces` (a prune's rewrite), moves here.
   * New rows are `tenant`'s (the tenant whose backup stored the pack); a row a rewrite moves keeps
   * its own tenant, so a rewritten pack may hold the chunks of several tenants.
   */
  async recordPack(tenant: string, pack: PackRecord & { replaces?: string[] }): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.createQueryBuilder().insert().into(PackEntity)
        .values({ key: pack.key, size: pack.size, chunkCount: pack.chunks.length }).orIgnore().execute();
      // One row per id: ON CONFLICT DO UPDATE refuses to touch a row twice in one statement.
      const seen = new Set<string>();
      const chunks = pack.chunks.filter((c) => {
        const hex = c.id.toString('hex');
        return seen.has(hex) ? false : (seen.add(hex), true);
      });
      for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
        const batch = chunks.slice(i, i + INSERT_BATCH);
        await manager.query(
          `INSERT INTO ${this.chunks} AS c (tenant, id, pack_key, "offset", length, raw_length)
           SELECT coalesce((SELECT o.tenant FROM ${this.chunks} o WHERE o.id = f.id AND o.pack_key = ANY($6::text[]) LIMIT 1), $7), f.*
             FROM unnest($1::bytea[], $2::text[], $3::bigint[], $4::integer[], $5::integer[]) AS f(id, pack_key, "offset", length, raw_length)
           ON CONFLICT (tenant, id) DO UPDATE SET pack_key = excluded.pack_key, "offset" = excluded."offset", length = excluded.length, raw_length = excluded.raw_length
           WHERE c.pack_key = ANY($6::text[])
              OR c.pack_key IN (SELECT key FROM ${this.packs} WHERE state <> 'live')`,
          [batch.map((c) => c.id), batch.map(() => pack.key), batch.map((c) => c.offset), batch.map((c) => c.length), batch.map((c) => c.rawLength), pack.replaces ?? [], tenant],
        );
      }
    });
  }

  /**
   * Moves packs between states, each only along the allowed way: live → condemned, condemned →
   * live (a rescue), condemned → deleting (the sweep: its chunk rows go in the same transaction,
   * so from then on nothing, not even a read, is sent to it). Returns the keys moved.
   */
  async setState(keys: string[], state: PackState, jobId?: string): Promise<string[]> {
    if (keys.length === 0) return [];
    const from = state === 'condemned' ? 'live' : 'condemned';
    return this.dataSource.transaction(async (m) => {
      // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
      const [rows]: [Array<{ key: string }>, number] = await m.query(
        `UPDATE ${this.packs} SET state = $2, condemned_at = CASE WHEN $2 = 'condemned' THEN now() WHEN $2 = 'live' THEN NULL ELSE condemned_at END,
                condemned_by = CASE WHEN $2 = 'condemned' THEN $4::uuid WHEN $2 = 'live' THEN NULL ELSE condemned_by END
          WHERE key = ANY($1) AND state = $3 RETURNING key`,
        [keys, state, from, jobId ?? null],
      );
      const moved = rows.map((r) => r.key);
      if (state === 'deleting' && moved.length > 0) await m.query(`DELETE FROM ${this.chunks} WHERE pack_key = ANY($1)`, [moved]);
      return moved;
    });
  }

  /** Removes packs whose objects a prune has deleted (state deleting only). */
  async forgetPacks(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.dataSource.query(`DELETE FROM ${this.packs} WHERE key = ANY($1) AND state = 'deleting'`, [keys]);
  }

  /** Packs in key order after `after`, whole, until about maxChunks chunks; with their chunk rows. */
  async page(after: string | undefined, maxChunks: number): Promise<{ packs: Array<{ key: string; size: number; chunkCount: number; state: PackState }>; chunks: Array<{ id: Buffer; pack: number; length: number }>; next?: string }> {
    const candidates: Array<{ key: string; size: string; chunk_count: number; state: PackState }> = await this.dataSource.query(
      `SELECT key, size, chunk_count, state FROM ${this.packs} WHERE ($1::text IS NULL OR key > $1) ORDER BY key LIMIT 1000`, [after ?? null],
    );
    const packs: Array<{ key: string; size: number; chunkCount: number; state: PackState }> = [];
    let total = 0;
    for (const c of candidates) {
      if (packs.length > 0 && total + c.chunk_count > maxChunks) break;
      packs.push({ key: c.key, size: Number(c.size), chunkCount: c.chunk_count, state: c.state });
      total += c.chunk_count;
    }
    const index = new Map(packs.map((p, i) => [p.key, i]));
    const rows: Array<{ id: Buffer; pack_key: string; length: number }> = packs.length === 0 ? [] : await this.dataSource.query(
      `SELECT id, pack_key, length FROM ${this.chunks} WHERE pack_key = ANY($1)`, [packs.map((p) => p.key)],
    );
    const more = packs.length < candidates.length || candidates.length === 1000;
    return {
      packs,
      chunks: rows.map((r) => ({ id: r.id, pack: index.get(r.pack_key)!, length: r.length })),
      ...(more && packs.length > 0 ? { next: packs[packs.length - 1].key } : {}),
    };
  }

  async packsIn(state: PackState): Promise<Array<{ key: string; size: number }>> {
    const rows: Array<{ key: string; size: string }> = await this.dataSource.query(`SELECT key, size FROM ${this.packs} WHERE state = $1 ORDER BY key`, [state]);
    return rows.map((r) => ({ key: r.key, size: Number(r.size) }));
  }

  /**
   * Removes the index rows of these chunks, each only while the index still places it in the given
   * pack: a chunk a later backup stored again (in another pack) keeps its sound location. Returns the
   * hex ids removed. The pack objects are untouched; their damaged copies are simply no longer used.
   */
  async forget(chunks: Array<{ id: Buffer; packKey: string }>): Promise<string[]> {
    if (chunks.length === 0) return [];
    const rows: Array<{ id: Buffer }> = await this.dataSource.query(
      // a SELECT over the DELETE, so the driver answers with the rows (a bare DELETE … RETURNING answers [rows, count])
      `WITH gone AS (
         DELETE FROM ${qualifiedTable(this.dataSource, ChunkLocationEntity)} c
          USING unnest($1::bytea[], $2::text[]) AS f(id, pack_key)
          WHERE c.id = f.id AND c.pack_key = f.pack_key
          RETURNING c.id)
       SELECT id FROM gone`,
      [chunks.map((c) => c.id), chunks.map((c) => c.packKey)],
    );
    return rows.map((r) => r.id.toString('hex'));
  }

  async chunksInPack(packKey: string): Promise<Buffer[]> {
    const rows = await this.dataSource.getRepository(ChunkLocationEntity).find({ select: { id: true }, where: { packKey } });
    return rows.map((r) => r.id);
  }

  async stats(): Promise<{ chunks: number; packs: number; storedBytes: number }> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM ${qualifiedTable(this.dataSource, ChunkLocationEntity)}) AS chunks,
              (SELECT count(*) FROM ${qualifiedTable(this.dataSource, PackEntity)}) AS packs,
              (SELECT coalesce(sum(size), 0) FROM ${qualifiedTable(this.dataSource, PackEntity)}) AS stored`,
    );
    return { chunks: Number(row.chunks), packs: Number(row.packs), storedBytes: Number(row.stored) };
  }
}
