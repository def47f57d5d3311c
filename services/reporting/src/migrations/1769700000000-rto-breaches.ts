import { MigrationInterface, QueryRunner } from 'typeorm';

/** The RTO breaches the scheduler announced (policy.rto_breached, ended by policy.rto_restored), for the compliance report. */
export class RtoBreaches1769700000000 implements MigrationInterface {
  name = 'RtoBreaches1769700000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.rto_breaches (
      job_id uuid PRIMARY KEY, policy_id uuid NOT NULL, tenant text NOT NULL DEFAULT 'default', snapshot_id text NOT NULL,
      rto_minutes integer NOT NULL, measured_ms bigint NOT NULL, breached_at timestamptz NOT NULL, restored_at timestamptz, restored_by_job_id uuid)`);
    await q.query(`CREATE INDEX rto_breaches_policy_idx ON ${s}.rto_breaches (policy_id, breached_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${q.connection.driver.schema}".rto_breaches`);
  }
}
