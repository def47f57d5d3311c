import { MigrationInterface, QueryRunner } from 'typeorm';

/** Which worker (host:pid) holds a running job: a worker restarted on the same host takes over at once the jobs of its dead predecessor. */
export class JobWorker1765000000000 implements MigrationInterface {
  name = 'JobWorker1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".jobs ADD COLUMN worker text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${q.connection.driver.schema}".jobs DROP COLUMN worker`);
  }
}
