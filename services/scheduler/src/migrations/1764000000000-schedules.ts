import { MigrationInterface, QueryRunner } from 'typeorm';

export class Schedules1764000000000 implements MigrationInterface {
  name = 'Schedules1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.schedules (
      policy_id uuid PRIMARY KEY,
      policy_version integer NOT NULL,
      cron text NOT NULL,
      timezone text NOT NULL,
      backup_window jsonb,
      source jsonb NOT NULL,
      bandwidth_limit integer,
      next_due_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX schedules_next_due_idx ON ${s}.schedules (next_due_at)`);
    await q.query(`CREATE TABLE ${s}.jobs (
      id uuid PRIMARY KEY,
      policy_id uuid,
      trigger text NOT NULL,
      due_at timestamptz,
      source jsonb NOT NULL,
      actor text NOT NULL DEFAULT 'anonymous',
      requested_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX jobs_policy_due_unique ON ${s}.jobs (policy_id, due_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.jobs`);
    await q.query(`DROP TABLE ${s}.schedules`);
  }
}
