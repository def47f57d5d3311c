import { addTenantColumns, dropTenantColumns } from '@arca/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every policy belongs to a tenant (those stored before tenants to `default`); a name is unique within its tenant. */
export class PolicyTenants1768000000000 implements MigrationInterface {
  name = 'PolicyTenants1768000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await addTenantColumns(q, ['policies']);
    await q.query(`ALTER TABLE ${s}.policies DROP CONSTRAINT policies_name_key`);
    await q.query(`ALTER TABLE ${s}.policies ADD CONSTRAINT policies_tenant_name_key UNIQUE (tenant, name)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema}"`;
    await q.query(`ALTER TABLE ${s}.policies DROP CONSTRAINT policies_tenant_name_key`);
    await q.query(`ALTER TABLE ${s}.policies ADD CONSTRAINT policies_name_key UNIQUE (name)`);
    await dropTenantColumns(q, ['policies']);
  }
}
