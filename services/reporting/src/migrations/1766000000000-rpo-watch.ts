import { MigrationInterface, QueryRunner } from 'typeorm';

/** What reporting keeps of the scheduler's RPO watch, so its compliance per policy agrees with policy.rpo_breached. */
export class RpoWatch1766000000000 implements MigrationInterface {
  name = 'RpoWatch1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".policies ADD COLUMN known_since timestamptz, ADD COLUMN rpo_breached_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".policies DROP COLUMN known_since, DROP COLUMN rpo_breached_at`);
  }
}
