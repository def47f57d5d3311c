import { MigrationInterface, QueryRunner } from 'typeorm';

/** The RTO watch: a policy's rtoMinutes, and when policy.rto_breached was published (cleared with policy.rto_restored). */
export class RtoWatch1769700000000 implements MigrationInterface {
  name = 'RtoWatch1769700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".schedules ADD COLUMN rto_minutes integer, ADD COLUMN rto_breached_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".schedules DROP COLUMN rto_minutes, DROP COLUMN rto_breached_at`);
  }
}
