import type { QueryRunner } from 'typeorm';

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
