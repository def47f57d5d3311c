import { MigrationInterface, QueryRunner } from 'typeorm';

/** Messages sealed per master key generation (the nonce budget of `arca keys rotate`). */
export class KeyGenerations1769600000000 implements MigrationInterface {
  name = 'KeyGenerations1769600000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE TABLE ${s}.key_generation_usage (
      repository_id text NOT NULL,
      generation integer NOT NULL,
      sealed bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (repository_id, generation)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TABLE ${s}.key_generation_usage`);
  }
}
