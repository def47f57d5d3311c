import { MigrationInterface, QueryRunner } from 'typeorm';

/** A policy's object lock ({ mode, retainUntilDays }), copied into every backup.requested; null without one. */
export class ScheduleObjectLock1767000000000 implements MigrationInterface {
  name = 'ScheduleObjectLock1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".schedules ADD COLUMN object_lock jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".schedules DROP COLUMN object_lock`);
  }
}
