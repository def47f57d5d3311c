import { addTenantColumns, dropTenantColumns } from '@arca/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['jobs', 'policies', 'replications', 'webhook_subscriptions', 'audit_log'];

/**
 * Every read model, subscription and audit entry belongs to a tenant; those from before tenants to
 * `default`. The audit log becomes one hash chain per tenant: seq is unique within a tenant, so
 * the existing chain is `default`'s, unchanged (its hashes do not cover the tenant; moving an
 * entry to another tenant breaks both chains' links).
 */
export class ReportingTenants1768000000000 implements MigrationInterface {
  name = 'ReportingTenants1768000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await addTenantColumns(q, TABLES);
    await q.query(`ALTER TABLE ${s}.audit_log DROP CONSTRAINT audit_log_seq_key`);
    await q.query(`ALTER TABLE ${s}.audit_log ADD CONSTRAINT audit_log_tenant_seq_key UNIQUE (tenant, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`ALTER TABLE ${s}.audit_log DROP CONSTRAINT audit_log_tenant_seq_key`);
    await q.query(`ALTER TABLE ${s}.audit_log ADD CONSTRAINT audit_log_seq_key UNIQUE (seq)`);
    await dropTenantColumns(q, TABLES);
  }
}
