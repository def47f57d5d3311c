import { MigrationInterface, QueryRunner } from 'typeorm';

/** A policy's scheduled test restores (verifyRestore): its cron, its sample, its next due time. */
export class VerifySchedule1769500000000 implements MigrationInterface {
  name = 'VerifySchedule1769500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".schedules ADD COLUMN verify_cron text, ADD COLUMN verify_sample integer, ADD COLUMN verify_next_due_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".schedules DROP COLUMN verify_cron, DROP COLUMN verify_sample, DROP COLUMN verify_next_due_at`);
  }
}
