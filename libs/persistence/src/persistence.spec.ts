import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Column, Entity, MigrationInterface, PrimaryColumn, QueryRunner } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { maskUrl, resolveDatabaseUrl } from './database-url';
import { startEmbeddedPostgres } from './embedded-postgres';
import { createServiceDataSource, DatabaseUnavailableError, schemaFor } from './service-data-source';
import { createTestSchema, testDatabaseUrl } from './test-schema';

@Entity({ name: 'widgets' })
class Widget {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'integer' }) size: number;
}

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE "${q.connection.driver.schema}".widgets (id text PRIMARY KEY, size integer NOT NULL)`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE "${q.connection.driver.schema}".widgets`);
  }
}

describe('persistence', () => {
  it('creates the service schema, runs its migrations once, and keeps tables inside the schema', async () => {
    const { schema, drop } = createTestSchema('persistence');
    try {
      const first = await createServiceDataSource({ url: testDatabaseUrl(), schema, entities: [Widget], migrations: [CreateWidgets1700000000000] });
      await first.getRepository(Widget).save({ id: 'w1', size: 3 });
      await first.destroy();
      // A restart finds the migration already applied and the data still there.
      const second = await createServiceDataSource({ url: testDatabaseUrl(), schema, entities: [Widget], migrations: [CreateWidgets1700000000000] });
      expect(await second.getRepository(Widget).findOneBy({ id: 'w1' })).toEqual({ id: 'w1', size: 3 });
      const tables = await second.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema]);
      expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(['migrations', 'widgets']);
      await second.destroy();
    } finally {
      await drop();
    }
  });

  it('names the database it could not reach, without its password', async () => {
    await expect(createServiceDataSource({ url: 'postgres://arca:secret@127.0.0.1:1/none', schema: 'arca_x', entities: [], migrations: [] }))
      .rejects.toThrow(DatabaseUnavailableError);
    await expect(createServiceDataSource({ url: 'postgres://arca:secret@127.0.0.1:1/none', schema: 'arca_x', entities: [], migrations: [] }))
      .rejects.toThrow(/cannot connect to Postgres at postgres:\/\/arca:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(maskUrl('postgres://u:p@h:5432/d')).toBe('postgres://u:***@h:5432/d');
    expect(schemaFor('dedupe-index')).toBe('arca_dedupe_index');
  });

  it('prefers DATABASE_URL, then the local server', async () => {
    expect((await resolveDatabaseUrl({ DATABASE_URL: 'postgres://x@db:5432/arca' }, { embeddedDataDir: '/nonexistent' })).url).toBe('postgres://x@db:5432/arca');
    expect((await resolveDatabaseUrl({}, { embeddedDataDir: '/nonexistent' })).description).toMatch(/local server/);
  });

  it('serves embedded PGlite over the Postgres wire protocol when nothing else is there', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arca-pglite-'));
    const embedded = await startEmbeddedPostgres({ dataDir, port: 15433 });
    try {
      const dataSource = await createServiceDataSource({ url: embedded.url, schema: 'arca_embedded', entities: [Widget], migrations: [CreateWidgets1700000000000], poolSize: 2 });
      await dataSource.getRepository(Widget).save({ id: 'w2', size: 7 });
      expect(await dataSource.getRepository(Widget).count()).toBe(1);
      await dataSource.destroy();
    } finally {
      await embedded.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
