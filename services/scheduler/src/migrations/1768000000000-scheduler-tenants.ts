import { addTenantColumns, dropTenantColumns } from '@arca/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Schedules and jobs belong to their policy's (or their caller's) tenant; those from before tenants to `default`. */
export class SchedulerTenants1768000000000 implements MigrationInterface {
  name = 'SchedulerTenants1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await addTenantColumns(q, ['schedules', 'jobs']);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropTenantColumns(q, ['schedules', 'jobs']);
  }
}
