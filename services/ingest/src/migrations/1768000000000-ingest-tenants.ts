import { addTenantColumns, dropTenantColumns } from '@arca/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Jobs and snapshots belong to a tenant; those from before tenants to `default`. */
export class IngestTenants1768000000000 implements MigrationInterface {
  name = 'IngestTenants1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await addTenantColumns(q, ['jobs', 'snapshots']);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropTenantColumns(q, ['jobs', 'snapshots']);
  }
}
