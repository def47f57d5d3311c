import { MigrationInterface, QueryRunner } from 'typeorm';

export class Replication1764000000000 implements MigrationInterface {
  name = 'Replication1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${q.connection.driver.schema}".replicated_objects (key text PRIMARY KEY, size bigint NOT NULL, copied_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${q.connection.driver.schema}".replicated_objects`);
  }
}
