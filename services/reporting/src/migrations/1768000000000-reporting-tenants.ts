import { tenantColumnsMigration } from '@arca/persistence';

/**
 * Every read model, subscription and audit entry belongs to a tenant; those from before tenants to
 * `default`. The audit log becomes one hash chain per tenant: seq is unique within a tenant, so
 * the existing chain is `default`'s, unchanged (its hashes do not cover the tenant; moving an
 * entry to another tenant breaks both chains' links).
 */
export const ReportingTenants1768000000000 = tenantColumnsMigration(
  'ReportingTenants1768000000000',
  ['jobs', 'policies', 'replications', 'webhook_subscriptions', 'audit_log'],
  [{ table: 'audit_log', column: 'seq' }],
);
