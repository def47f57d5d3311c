import { MigrationInterface, QueryRunner } from 'typeorm';

/** What each policy promises (schedule, window, retention, object lock, replication), for the compliance report. */
export class PolicyPromises1769500000000 implements MigrationInterface {
  name = 'PolicyPromises1769500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".policies ADD COLUMN promised jsonb`);
    // The compliance report reads a policy's backups by policy and finishing time.
    await q.query(`CREATE INDEX jobs_policy_finished_idx ON "${q.connection.driver.schema}".jobs (policy_id, finished_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "${q.connection.driver.schema}".jobs_policy_finished_idx`);
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".policies DROP COLUMN promised`);
  }
}
