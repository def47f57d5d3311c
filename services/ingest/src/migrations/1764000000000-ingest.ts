import { MigrationInterface, QueryRunner } from 'typeorm';

export class Ingest1764000000000 implements MigrationInterface {
  name = 'Ingest1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.jobs (
      id uuid PRIMARY KEY,
      kind text NOT NULL,
      request jsonb NOT NULL,
      trace_headers jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'queued',
      attempts integer NOT NULL DEFAULT 0,
      lease_until timestamptz,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query(`CREATE INDEX jobs_claim_idx ON ${s}.jobs (status, lease_until)`);
    await q.query(`CREATE TABLE ${s}.snapshots (
      id text PRIMARY KEY,
      time timestamptz NOT NULL,
      source_kind text NOT NULL,
      source_id text NOT NULL,
      hostname text NOT NULL,
      policy_id uuid,
      parent_id text,
      job_id uuid NOT NULL,
      manifest_key text NOT NULL,
      stats jsonb NOT NULL
    )`);
    await q.query(`CREATE INDEX snapshots_source_time_idx ON ${s}.snapshots (source_kind, source_id, time)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.snapshots`);
    await q.query(`DROP TABLE ${s}.jobs`);
  }
}
