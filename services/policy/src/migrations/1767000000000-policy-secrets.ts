import { MigrationInterface, QueryRunner } from 'typeorm';

export class PolicySecrets1767000000000 implements MigrationInterface {
  name = 'PolicySecrets1767000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.policy_secrets (
      ref text PRIMARY KEY,
      sealed bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${q.connection.driver.schema}".policy_secrets`);
  }
}
