import { MigrationInterface, QueryRunner } from 'typeorm';

export class ChunkIndex1764000000000 implements MigrationInterface {
  name = 'ChunkIndex1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.chunk_locations (
      id bytea PRIMARY KEY,
      pack_key text NOT NULL,
      "offset" bigint NOT NULL,
      length integer NOT NULL,
      raw_length integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX chunk_locations_pack_key_idx ON ${s}.chunk_locations (pack_key)`);
    await q.query(`CREATE TABLE ${s}.packs (
      key text PRIMARY KEY,
      size bigint NOT NULL,
      chunk_count integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.packs`);
    await q.query(`DROP TABLE ${s}.chunk_locations`);
  }
}
