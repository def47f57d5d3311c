import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each snapshot names the repository (key file id) it belongs to; rows from before stay null. */
export class SnapshotRepository1769100000000 implements MigrationInterface {
  name = 'SnapshotRepository1769100000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`ALTER TABLE ${s}.snapshots ADD COLUMN repository_id text`);
    await q.query(`CREATE INDEX snapshots_repository_idx ON ${s}.snapshots (repository_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP INDEX ${s}.snapshots_repository_idx`);
    await q.query(`ALTER TABLE ${s}.snapshots DROP COLUMN repository_id`);
  }
}
