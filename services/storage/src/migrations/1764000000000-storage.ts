import { MigrationInterface, QueryRunner } from 'typeorm';

export class Storage1764000000000 implements MigrationInterface {
  name = 'Storage1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.packs (
      key text PRIMARY KEY, size bigint NOT NULL, raw_bytes bigint NOT NULL, chunk_count integer NOT NULL,
      job_id uuid NOT NULL, policy_id uuid, stored_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX packs_policy_idx ON ${s}.packs (policy_id)`);
    await q.query(`CREATE TABLE ${s}.snapshots (
      snapshot_id text PRIMARY KEY, policy_id uuid, source_kind text NOT NULL, source_id text NOT NULL, time timestamptz NOT NULL,
      bytes_read bigint NOT NULL, bytes_stored bigint NOT NULL, pack_count integer NOT NULL, forgotten boolean NOT NULL DEFAULT false
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.snapshots`);
    await q.query(`DROP TABLE ${s}.packs`);
  }
}
