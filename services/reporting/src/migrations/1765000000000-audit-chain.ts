import { MigrationInterface, QueryRunner } from 'typeorm';
import { entryHash, GENESIS_HASH } from '../audit-chain';

/**
 * The audit log becomes a hash chain: entries recorded before it are chained in time order, and
 * a trigger makes the table append-only (the chain then shows an edit made around the trigger).
 */
export class AuditChain1765000000000 implements MigrationInterface {
  name = 'AuditChain1765000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`ALTER TABLE ${s}.audit_log ADD COLUMN seq bigint, ADD COLUMN principal jsonb, ADD COLUMN request_id text,
      ADD COLUMN trace_id text, ADD COLUMN prev_hash text, ADD COLUMN hash text`);
    const rows: Array<{ event_id: string; time: Date; actor: string; action: string; target: string; details: Record<string, unknown> }> =
      await q.query(`SELECT event_id, time, actor, action, target, details FROM ${s}.audit_log ORDER BY time, event_id`);
    let prevHash = GENESIS_HASH;
    for (const [index, row] of rows.entries()) {
      const entry = { seq: index + 1, eventId: row.event_id, time: row.time, actor: row.actor, action: row.action, target: row.target, details: row.details, principal: null, requestId: null, traceId: null, prevHash };
      const hash = entryHash(entry);
      await q.query(`UPDATE ${s}.audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE event_id = $4`, [entry.seq, prevHash, hash, row.event_id]);
      prevHash = hash;
    }
    await q.query(`ALTER TABLE ${s}.audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL,
      ADD CONSTRAINT audit_log_seq_key UNIQUE (seq)`);
    await q.query(`CREATE FUNCTION ${s}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP; END $$`);
    await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON ${s}.audit_log FOR EACH ROW EXECUTE FUNCTION ${s}.audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON ${s}.audit_log FOR EACH STATEMENT EXECUTE FUNCTION ${s}.audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`DROP TRIGGER audit_log_no_truncate ON ${s}.audit_log`);
    await q.query(`DROP TRIGGER audit_log_append_only ON ${s}.audit_log`);
    await q.query(`DROP FUNCTION ${s}.audit_log_append_only()`);
    await q.query(`ALTER TABLE ${s}.audit_log DROP COLUMN seq, DROP COLUMN principal, DROP COLUMN request_id, DROP COLUMN trace_id, DROP COLUMN prev_hash, DROP COLUMN hash`);
  }
}
