import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReadModels1764000000000 implements MigrationInterface {
  name = 'ReadModels1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.jobs (
      job_id uuid PRIMARY KEY,
      kind text NOT NULL,
      status text NOT NULL,
      policy_id uuid,
      source jsonb,
      snapshot_id text,
      progress jsonb,
      stats jsonb,
      error text,
      requested_at timestamptz NOT NULL,
      started_at timestamptz,
      finished_at timestamptz,
      last_event_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX jobs_requested_at_idx ON ${s}.jobs (requested_at)`);
    await q.query(`CREATE TABLE ${s}.audit_log (
      event_id uuid PRIMARY KEY,
      time timestamptz NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      target text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'
    )`);
    await q.query(`CREATE INDEX audit_log_time_idx ON ${s}.audit_log (time)`);
    await q.query(`CREATE TABLE ${s}.policies (
      policy_id uuid PRIMARY KEY,
      name text NOT NULL,
      rpo_minutes integer NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      last_success_at timestamptz
    )`);
    await q.query(`CREATE TABLE ${s}.replications (
      snapshot_id text NOT NULL,
      site text NOT NULL,
      status text NOT NULL,
      lag_ms integer,
      bytes_copied bigint NOT NULL DEFAULT 0,
      error text,
      at timestamptz NOT NULL,
      PRIMARY KEY (snapshot_id, site)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    for (const table of ['replications', 'policies', 'audit_log', 'jobs']) await q.query(`DROP TABLE ${s}.${table}`);
  }
}
