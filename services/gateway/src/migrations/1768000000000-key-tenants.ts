import { addTenantColumns, dropTenantColumns } from '@arca/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every key belongs to a tenant; the keys made before tenants (the first admin key among them) to `default`. */
export class KeyTenants1768000000000 implements MigrationInterface {
  name = 'KeyTenants1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await addTenantColumns(q, ['api_keys']);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropTenantColumns(q, ['api_keys']);
  }
}
