import { MigrationInterface, QueryRunner } from 'typeorm';

/** A cancel request on a queued or running job, seen by whichever worker holds it (at its next lease renewal, or at claim). */
export class JobCancel1766000000000 implements MigrationInterface {
  name = 'JobCancel1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".jobs ADD COLUMN cancel_reason text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".jobs DROP COLUMN cancel_reason`);
  }
}
