import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Storage use per day, tenant, policy and site (filled from the jobs and replications already
 * folded, then kept by the events), and the quotas admins set.
 */
export class StorageDaily1769800000000 implements MigrationInterface {
  name = 'StorageDaily1769800000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.storage_daily (
      day date NOT NULL, tenant text NOT NULL, policy_id text NOT NULL, site text NOT NULL,
      snapshots integer NOT NULL DEFAULT 0, bytes_read bigint NOT NULL DEFAULT 0, bytes_new bigint NOT NULL DEFAULT 0,
      bytes_added bigint NOT NULL DEFAULT 0, bytes_freed bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (day, tenant, policy_id, site))`);
    await q.query(`CREATE INDEX storage_daily_tenant_site_idx ON ${s}.storage_daily (tenant, site, day)`);
    await q.query(`CREATE TABLE ${s}.quotas (
      scope text NOT NULL CHECK (scope IN ('site', 'tenant')), name text NOT NULL, bytes bigint NOT NULL CHECK (bytes > 0),
      updated_by text NOT NULL, updated_at timestamptz NOT NULL, PRIMARY KEY (scope, name))`);
    // What the read models already hold: completed backups and (not dry-run) prunes at the primary site...
    await q.query(`INSERT INTO ${s}.storage_daily (day, tenant, policy_id, site, snapshots, bytes_read, bytes_new, bytes_added, bytes_freed)
      SELECT (finished_at AT TIME ZONE 'UTC')::date, tenant, coalesce(policy_id::text, ''), 'primary',
             count(*) FILTER (WHERE kind = 'backup'),
             coalesce(sum((stats->>'bytesRead')::numeric) FILTER (WHERE kind = 'backup'), 0),
             coalesce(sum((stats->>'bytesNew')::numeric) FILTER (WHERE kind = 'backup'), 0),
             coalesce(sum((stats->>'bytesStored')::numeric) FILTER (WHERE kind = 'backup'), 0),
             coalesce(sum((stats->>'bytesFreed')::numeric) FILTER (WHERE kind = 'prune'), 0)
      FROM ${s}.jobs WHERE status = 'completed' AND finished_at IS NOT NULL AND (kind = 'backup' OR (kind = 'prune' AND (stats->>'dryRun') = 'false'))
      GROUP BY 1, 2, 3`);
    // ...and completed copies at replica sites, under the policy of the backup that made the snapshot.
    await q.query(`INSERT INTO ${s}.storage_daily (day, tenant, policy_id, site, snapshots, bytes_added)
      SELECT (r.at AT TIME ZONE 'UTC')::date, r.tenant, coalesce(b.policy_id::text, ''), r.site, count(*), sum(r.bytes_copied)
      FROM ${s}.replications r
      LEFT JOIN (SELECT DISTINCT ON (snapshot_id) snapshot_id, policy_id FROM ${s}.jobs WHERE kind = 'backup' AND snapshot_id IS NOT NULL ORDER BY snapshot_id, finished_at) b ON b.snapshot_id = r.snapshot_id
      WHERE r.status = 'completed' GROUP BY 1, 2, 3, 4`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.quotas`);
    await q.query(`DROP TABLE ${s}.storage_daily`);
  }
}
