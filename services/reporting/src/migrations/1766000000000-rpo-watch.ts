import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What reporting keeps of the scheduler's RPO watch, so its compliance per policy agrees with
 * policy.rpo_breached; and which attempt of a scheduled backup each job is (retries).
 */
export class RpoWatch1766000000000 implements MigrationInterface {
  name = 'RpoWatch1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".policies ADD COLUMN known_since timestamptz, ADD COLUMN rpo_breached_at timestamptz`);
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".jobs ADD COLUMN attempt integer NOT NULL DEFAULT 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".jobs DROP COLUMN attempt`);
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".policies DROP COLUMN known_since, DROP COLUMN rpo_breached_at`);
  }
}
