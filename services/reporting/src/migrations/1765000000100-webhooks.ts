import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1765000000100 implements MigrationInterface {
  name = 'Webhooks1765000000100';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.webhook_subscriptions (
      id uuid PRIMARY KEY,
      url text NOT NULL,
      events text[] NOT NULL,
      secret text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE ${s}.webhook_deliveries (
      id uuid PRIMARY KEY,
      subscription_id uuid NOT NULL REFERENCES ${s}.webhook_subscriptions (id) ON DELETE CASCADE,
      event_id uuid NOT NULL,
      event text NOT NULL,
      body text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      last_status integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      UNIQUE (subscription_id, event_id)
    )`);
    await q.query(`CREATE INDEX webhook_deliveries_due_idx ON ${s}.webhook_deliveries (status, next_attempt_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.webhook_deliveries`);
    await q.query(`DROP TABLE ${s}.webhook_subscriptions`);
  }
}
