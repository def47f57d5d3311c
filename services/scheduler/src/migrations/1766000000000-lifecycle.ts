import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduling lifecycle: what the scheduler needs to follow its jobs (status from ingest's events,
 * retries linked to their first run, window ends) and its policies (catch-up, retry, RPO watch,
 * prune schedule). A prune and a backup may share a due time, so the job's kind joins the unique key.
 */
export class Lifecycle1766000000000 implements MigrationInterface {
  name = 'Lifecycle1766000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`ALTER TABLE ${s}.schedules
      ADD COLUMN catch_up text NOT NULL DEFAULT 'once',
      ADD COLUMN window_end text NOT NULL DEFAULT 'finish',
      ADD COLUMN retry jsonb,
      ADD COLUMN rpo_minutes integer,
      ADD COLUMN known_since timestamptz,
      ADD COLUMN last_success_at timestamptz,
      ADD COLUMN rpo_deadline timestamptz,
      ADD COLUMN rpo_breached_at timestamptz,
      ADD COLUMN prune_cron text,
      ADD COLUMN prune_max_unused integer,
      ADD COLUMN prune_next_due_at timestamptz`);
    await q.query(`CREATE INDEX schedules_rpo_watch_idx ON ${s}.schedules (rpo_deadline) WHERE rpo_breached_at IS NULL`);
    await q.query(`CREATE INDEX schedules_prune_due_idx ON ${s}.schedules (prune_next_due_at)`);
    await q.query(`ALTER TABLE ${s}.jobs
      ADD COLUMN kind text NOT NULL DEFAULT 'backup',
      ADD COLUMN status text NOT NULL DEFAULT 'requested',
      ADD COLUMN attempt integer NOT NULL DEFAULT 1,
      ADD COLUMN retry_of uuid,
      ADD COLUMN run_at timestamptz,
      ADD COLUMN window_closes_at timestamptz,
      ADD COLUMN window_end text,
      ADD COLUMN cancel_requested_at timestamptz,
      ADD COLUMN error text,
      ADD COLUMN started_at timestamptz,
      ADD COLUMN finished_at timestamptz,
      ALTER COLUMN source DROP NOT NULL`);
    await q.query(`DROP INDEX ${s}.jobs_policy_due_unique`);
    await q.query(`CREATE UNIQUE INDEX jobs_policy_kind_due_unique ON ${s}.jobs (policy_id, kind, due_at)`);
    await q.query(`CREATE UNIQUE INDEX jobs_retry_attempt_unique ON ${s}.jobs (retry_of, attempt)`);
    await q.query(`CREATE INDEX jobs_active_idx ON ${s}.jobs (status) WHERE status IN ('pending', 'requested', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP INDEX ${s}.jobs_active_idx`);
    await q.query(`DROP INDEX ${s}.jobs_retry_attempt_unique`);
    await q.query(`DROP INDEX ${s}.jobs_policy_kind_due_unique`);
    await q.query(`DELETE FROM ${s}.jobs WHERE kind <> 'backup' OR source IS NULL`);
    await q.query(`CREATE UNIQUE INDEX jobs_policy_due_unique ON ${s}.jobs (policy_id, due_at)`);
    await q.query(`ALTER TABLE ${s}.jobs ALTER COLUMN source SET NOT NULL, DROP COLUMN kind, DROP COLUMN status, DROP COLUMN attempt, DROP COLUMN retry_of,
      DROP COLUMN run_at, DROP COLUMN window_closes_at, DROP COLUMN window_end, DROP COLUMN cancel_requested_at, DROP COLUMN error,
      DROP COLUMN started_at, DROP COLUMN finished_at`);
    await q.query(`DROP INDEX ${s}.schedules_prune_due_idx`);
    await q.query(`DROP INDEX ${s}.schedules_rpo_watch_idx`);
    await q.query(`ALTER TABLE ${s}.schedules DROP COLUMN catch_up, DROP COLUMN window_end, DROP COLUMN retry, DROP COLUMN rpo_minutes, DROP COLUMN known_since,
      DROP COLUMN last_success_at, DROP COLUMN rpo_deadline, DROP COLUMN rpo_breached_at, DROP COLUMN prune_cron, DROP COLUMN prune_max_unused,
      DROP COLUMN prune_next_due_at`);
  }
}
