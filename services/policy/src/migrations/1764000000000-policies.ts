import { MigrationInterface, QueryRunner } from 'typeorm';

export class Policies1764000000000 implements MigrationInterface {
  name = 'Policies1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.policies (
      id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      version integer NOT NULL,
      spec jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE ${s}.policy_versions (
      policy_id uuid NOT NULL,
      version integer NOT NULL,
      spec jsonb,
      actor text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (policy_id, version)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.policy_versions`);
    await q.query(`DROP TABLE ${s}.policies`);
  }
}
