/**
 * Tenants: every policy, job, snapshot, API key, report, webhook subscription and audit entry
 * belongs to one. A tenant id is a slug (lower-case letters, digits and inner hyphens, at most
 * 63 characters). Data stored before tenants existed, and the first admin key, belong to `default`,
 * the installation's tenant: its admins alone run repository-wide operations.
 */
export const DEFAULT_TENANT = 'default';

export const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The header in which the gateway tells an internal service whose request it is. Only the gateway
 * sets it, from the authenticated principal, never from what the client sent; a call without it
 * (another internal service, or a tool on the internal network) is the `default` tenant's.
 */
export const TENANT_HEADER = 'x-arca-tenant';

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID.test(value);
}

/** The tenant an event belongs to: its envelope's, or `default` for events from before tenants. */
export function tenantOfEvent(event: { tenant?: string }): string {
  return event.tenant ?? DEFAULT_TENANT;
}
