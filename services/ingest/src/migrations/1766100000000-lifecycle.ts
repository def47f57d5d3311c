import { MigrationInterface, QueryRunner } from 'typeorm';

/** The snapshot lifecycle: forgotten snapshots (kept as rows for the record), legal holds, and when a prune purged a manifest. */
export class Lifecycle1766100000000 implements MigrationInterface {
  name = 'Lifecycle1766100000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`ALTER TABLE ${s}.snapshots
      ADD COLUMN catalogued_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN forgotten_at timestamptz,
      ADD COLUMN forgotten_reason text,
      ADD COLUMN purged_at timestamptz,
      ADD COLUMN held_at timestamptz,
      ADD COLUMN held_by text,
      ADD COLUMN hold_reason text`);
    await q.query(`CREATE INDEX snapshots_policy_live_idx ON ${s}.snapshots (policy_id, time) WHERE forgotten_at IS NULL`);
    await q.query(`CREATE INDEX snapshots_unpurged_idx ON ${s}.snapshots (forgotten_at) WHERE forgotten_at IS NOT NULL AND purged_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP INDEX ${s}.snapshots_unpurged_idx`);
    await q.query(`DROP INDEX ${s}.snapshots_policy_live_idx`);
    await q.query(`ALTER TABLE ${s}.snapshots DROP COLUMN hold_reason, DROP COLUMN held_by, DROP COLUMN held_at, DROP COLUMN purged_at,
      DROP COLUMN forgotten_reason, DROP COLUMN forgotten_at, DROP COLUMN catalogued_at`);
  }
}
