import { addTenantColumns, dropTenantColumns } from '@arca/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Packs and snapshots are counted for the tenant whose job wrote them; those from before tenants for `default`. */
export class StorageTenants1768000000000 implements MigrationInterface {
  name = 'StorageTenants1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await addTenantColumns(q, ['packs', 'snapshots']);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropTenantColumns(q, ['packs', 'snapshots']);
  }
}
