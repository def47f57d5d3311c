import { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox and processed-events tables, created in the schema of each service that includes this migration. */
export class Messaging1763999999000 implements MigrationInterface {
  name = 'Messaging1763999999000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      key text,
      envelope jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON ${s}.outbox (id) WHERE published_at IS NULL`);
    await q.query(`CREATE TABLE ${s}.processed_events (
      consumer_group text NOT NULL,
      event_id uuid NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, event_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.processed_events`);
    await q.query(`DROP TABLE ${s}.outbox`);
  }
}

