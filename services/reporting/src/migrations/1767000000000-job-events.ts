import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every job event's service, time and trace context, for the job timeline (jobs before it have none). */
export class JobEvents1767000000000 implements MigrationInterface {
  name = 'JobEvents1767000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.job_events (
      event_id uuid PRIMARY KEY,
      job_id uuid NOT NULL,
      type text NOT NULL,
      service text NOT NULL,
      occurred_at timestamptz NOT NULL,
      trace_id text,
      span_id text,
      detail jsonb
    )`);
    await q.query(`CREATE INDEX job_events_job_idx ON ${s}.job_events (job_id, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${q.connection.driver.schema}".job_events`);
  }
}
