import { tenantColumnsMigration } from '@arca/persistence';

/** Every key belongs to a tenant; the keys made before tenants (the first admin key among them) to `default`. */
export const KeyTenants1768000000000 = tenantColumnsMigration('KeyTenants1768000000000', ['api_keys']);
