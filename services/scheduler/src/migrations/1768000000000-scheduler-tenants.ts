import { tenantColumnsMigration } from '@arca/persistence';

/** Schedules and jobs belong to their policy's (or their caller's) tenant; those from before tenants to `default`. */
export const SchedulerTenants1768000000000 = tenantColumnsMigration('SchedulerTenants1768000000000', ['schedules', 'jobs']);
