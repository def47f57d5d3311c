import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every chunk row belongs to the tenant whose backup stored it (those from before tenants to
 * `default`), and the key becomes (tenant, chunk id): a tenant's lookups see its own chunks only.
 */
export class ChunkTenants1768000000000 implements MigrationInterface {
  name = 'ChunkTenants1768000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`ALTER TABLE ${s}.chunk_locations ADD COLUMN tenant text NOT NULL DEFAULT 'default'`);
    await q.query(`ALTER TABLE ${s}.chunk_locations DROP CONSTRAINT chunk_locations_pkey, ADD PRIMARY KEY (tenant, id)`);
    await q.query(`CREATE INDEX chunk_locations_id_idx ON ${s}.chunk_locations (id)`); // repository-wide reads (check, prune) by id alone
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP INDEX ${s}.chunk_locations_id_idx`);
    await q.query(`ALTER TABLE ${s}.chunk_locations DROP CONSTRAINT chunk_locations_pkey, ADD PRIMARY KEY (id)`);
    await q.query(`ALTER TABLE ${s}.chunk_locations DROP COLUMN tenant`);
  }
}
