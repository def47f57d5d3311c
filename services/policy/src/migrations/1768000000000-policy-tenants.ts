import { tenantColumnsMigration } from '@arca/persistence';

/** Every policy belongs to a tenant (those stored before tenants to `default`); a name is unique within its tenant. */
export const PolicyTenants1768000000000 = tenantColumnsMigration('PolicyTenants1768000000000', ['policies'], [{ table: 'policies', column: 'name' }]);
