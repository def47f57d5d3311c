import { MigrationInterface, QueryRunner } from 'typeorm';

/** Packs get a state (live, condemned, deleting) for prune's mark, wait and sweep (docs/architecture.md, "Prune"). */
export class PackStates1766000000000 implements MigrationInterface {
  name = 'PackStates1766000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`ALTER TABLE ${s}.packs ADD COLUMN state text NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'condemned', 'deleting'))`);
    await q.query(`ALTER TABLE ${s}.packs ADD COLUMN condemned_at timestamptz`);
    await q.query(`ALTER TABLE ${s}.packs ADD COLUMN condemned_by uuid`);
    // Few packs are ever not live: a partial index keeps "which packs are condemned" cheap at any size.
    await q.query(`CREATE INDEX packs_not_live_idx ON ${s}.packs (state) WHERE state <> 'live'`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP INDEX ${s}.packs_not_live_idx`);
    await q.query(`ALTER TABLE ${s}.packs DROP COLUMN condemned_by, DROP COLUMN condemned_at, DROP COLUMN state`);
  }
}
