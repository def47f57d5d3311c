import { MigrationInterface, QueryRunner } from 'typeorm';

/** The durable copy queue, the policies' replication targets, each site's failure episode, and RPO breaches at replica sites. */
export class ReplicationCopies1769200000000 implements MigrationInterface {
  name = 'ReplicationCopies1769200000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.replication_policies (
      policy_id uuid PRIMARY KEY, tenant text NOT NULL, version integer NOT NULL, name text NOT NULL,
      replicate boolean, replica_sites text[], rpo_minutes integer NOT NULL, deleted boolean NOT NULL DEFAULT false)`);
    await q.query(`CREATE TABLE ${s}.replication_copies (
      snapshot_id text NOT NULL, site text NOT NULL, tenant text NOT NULL, policy_id uuid, job_id uuid, trace_headers jsonb NOT NULL DEFAULT '{}',
      manifest_key text NOT NULL, pack_list_key text NOT NULL, snapshot_time timestamptz NOT NULL,
      queued_at timestamptz NOT NULL DEFAULT now(), status text NOT NULL DEFAULT 'pending',
      attempts integer NOT NULL DEFAULT 0, next_attempt_at timestamptz NOT NULL DEFAULT now(),
      announced boolean NOT NULL DEFAULT false, last_error text,
      bytes_pending bigint NOT NULL DEFAULT 0, bytes_copied bigint NOT NULL DEFAULT 0, objects_copied integer NOT NULL DEFAULT 0,
      claimed_by text, claimed_until timestamptz, finished_at timestamptz,
      PRIMARY KEY (snapshot_id, site),
      CONSTRAINT replication_copies_status CHECK (status IN ('pending', 'completed', 'skipped', 'abandoned')))`);
    await q.query(`CREATE INDEX replication_copies_due ON ${s}.replication_copies (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE TABLE ${s}.replication_sites (site text NOT NULL, tenant text NOT NULL, failing_since timestamptz, last_success_at timestamptz, PRIMARY KEY (site, tenant))`);
    await q.query(`CREATE TABLE ${s}.replication_object_ops (
      key text NOT NULL, site text NOT NULL, op text NOT NULL CHECK (op IN ('put', 'delete')), attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(), last_error text, PRIMARY KEY (key, site))`);
    await q.query(`CREATE TABLE ${s}.replication_rpo_breaches (policy_id uuid NOT NULL, site text NOT NULL, breached_at timestamptz NOT NULL, PRIMARY KEY (policy_id, site))`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    for (const table of ['replication_rpo_breaches', 'replication_object_ops', 'replication_sites', 'replication_copies', 'replication_policies']) await q.query(`DROP TABLE ${s}.${table}`);
  }
}
