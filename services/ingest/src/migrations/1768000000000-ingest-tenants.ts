import { tenantColumnsMigration } from '@arca/persistence';

/** Jobs and snapshots belong to a tenant; those from before tenants to `default`. */
export const IngestTenants1768000000000 = tenantColumnsMigration('IngestTenants1768000000000', ['jobs', 'snapshots']);
