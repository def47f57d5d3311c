import { tenantColumnsMigration } from '@arca/persistence';

/** Packs and snapshots are counted for the tenant whose job wrote them; those from before tenants for `default`. */
export const StorageTenants1768000000000 = tenantColumnsMigration('StorageTenants1768000000000', ['packs', 'snapshots']);
