import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a recovery keeps what it reads from the bucket (pack headers' chunk entries, chunk
 * tenants, manifests) instead of memory (see recover-staging.ts). Unlogged: the rows are a running
 * job's scratch, cleared when it starts, ends or fails; a crash's truncation only makes its retry
 * read the bucket again, which it does anyway.
 */
export class RecoverStaging1769900000000 implements MigrationInterface {
  name = 'RecoverStaging1769900000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`CREATE UNLOGGED TABLE ${s}.recover_packs (
      job_id uuid NOT NULL, seq integer NOT NULL, key text NOT NULL, size bigint NOT NULL,
      tenant text, chunk_count integer, raw_bytes bigint,
      PRIMARY KEY (job_id, seq)
    )`);
    await q.query(`CREATE UNLOGGED TABLE ${s}.recover_chunks (
      job_id uuid NOT NULL, pack_seq integer NOT NULL, ordinal integer NOT NULL, id bytea NOT NULL,
      "offset" bigint NOT NULL, length integer NOT NULL, raw_length integer NOT NULL, compressed boolean NOT NULL,
      PRIMARY KEY (job_id, pack_seq, ordinal)
    )`);
    await q.query(`CREATE INDEX recover_chunks_id_idx ON ${s}.recover_chunks (job_id, id)`);
    await q.query(`CREATE UNLOGGED TABLE ${s}.recover_chunk_tenants (
      job_id uuid NOT NULL, id bytea NOT NULL, tenant text NOT NULL,
      PRIMARY KEY (job_id, id)
    )`);
    await q.query(`CREATE UNLOGGED TABLE ${s}.recover_manifests (
      job_id uuid NOT NULL, seq integer NOT NULL, manifest text NOT NULL, size bigint NOT NULL, state text, pack_count integer NOT NULL,
      PRIMARY KEY (job_id, seq)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    for (const table of ['recover_manifests', 'recover_chunk_tenants', 'recover_chunks', 'recover_packs']) await q.query(`DROP TABLE ${s}.${table}`);
  }
}
