import { Injectable } from '@nestjs/common';
import { qualifiedTable } from '@arca/persistence';
import { DataSource, In } from 'typeorm';
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

  /** Which of these ids the repository already holds: hex id → the pack holding it. */
  async known(ids: Buffer[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(ChunkLocationEntity)
      .createQueryBuilder('c')
      .select('c.id', 'id')
      .addSelect('c.pack_key', 'packKey')
      .where('c.id = ANY(:ids)', { ids })
      .getRawMany<{ id: Buffer; packKey: string }>();
    return new Map(rows.map((r) => [r.id.toString('hex'), r.packKey]));
  }

  async locate(ids: Buffer[]): Promise<ChunkLocation[]> {
    if (ids.length === 0) return [];
    return this.dataSource.getRepository(ChunkLocationEntity).find({ where: { id: In(ids) } });
  }

  /**
   * Records a stored pack and its chunks in one transaction. A chunk already indexed elsewhere keeps
   * its first location (two workers may race to store the same new chunk; either copy is valid).
   */
  async recordPack(pack: PackRecord): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.createQueryBuilder().insert().into(PackEntity)
        .values({ key: pack.key, size: pack.size, chunkCount: pack.chunks.length }).orIgnore().execute();
      for (let i = 0; i < pack.chunks.length; i += INSERT_BATCH) {
        const rows = pack.chunks.slice(i, i + INSERT_BATCH).map((c) => ({ ...c, packKey: pack.key }));
        await manager.createQueryBuilder().insert().into(ChunkLocationEntity).values(rows).orIgnore().execute();
      }
    });
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
