import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * For a migration that gives tables a tenant: adds `tenant text NOT NULL DEFAULT 'default'` to each
 * (so every row stored before tenants belongs to `default`) and an index on it.
 */
export async function addTenantColumns(q: QueryRunner, tables: string[]): Promise<void> {
  const s = `"${q.connection.driver.schema}"`;
  for (const table of tables) {
    await q.query(`ALTER TABLE ${s}.${table} ADD COLUMN tenant text NOT NULL DEFAULT 'default'`);
    await q.query(`CREATE INDEX ${table}_tenant_idx ON ${s}.${table} (tenant)`);
  }
}

export async function dropTenantColumns(q: QueryRunner, tables: string[]): Promise<void> {
  const s = `"${q.connection.driver.schema}"`;
  for (const table of tables) await q.query(`ALTER TABLE ${s}.${table} DROP COLUMN tenant`);
}

/** Makes a column unique within a tenant instead of over the whole table (its `<table>_<column>_key` constraint becomes `<table>_tenant_<column>_key`). */
export async function scopeUniqueToTenant(q: QueryRunner, table: string, column: string): Promise<void> {
  const s = `"${q.connection.driver.schema}"`;
  await q.query(`ALTER TABLE ${s}.${table} DROP CONSTRAINT ${table}_${column}_key`);
  await q.query(`ALTER TABLE ${s}.${table} ADD CONSTRAINT ${table}_tenant_${column}_key UNIQUE (tenant, ${column})`);
}

export async function unscopeUniqueFromTenant(q: QueryRunner, table: string, column: string): Promise<void> {
  const s = `"${q.connection.driver.schema}"`;
  await q.query(`ALTER TABLE ${s}.${table} DROP CONSTRAINT ${table}_tenant_${column}_key`);
  await q.query(`ALTER TABLE ${s}.${table} ADD CONSTRAINT ${table}_${column}_key UNIQUE (${column})`);
}

/**
 * A migration that gives tables a tenant column (addTenantColumns) and makes the given columns
 * unique per tenant (scopeUniqueToTenant). `name` is TypeORM's: the class name with its timestamp.
 */
export function tenantColumnsMigration(name: string, tables: string[], uniquePerTenant: Array<{ table: string; column: string }> = []): new () => MigrationInterface {
  return class implements MigrationInterface {
    name = name;

    async up(q: QueryRunner): Promise<void> {
      await addTenantColumns(q, tables);
      for (const u of uniquePerTenant) await scopeUniqueToTenant(q, u.table, u.column);
    }

    async down(q: QueryRunner): Promise<void> {
      for (const u of uniquePerTenant) await unscopeUniqueFromTenant(q, u.table, u.column);
      await dropTenantColumns(q, tables);
    }
  };
}
