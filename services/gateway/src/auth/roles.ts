import { SetMetadata } from '@nestjs/common';

/**
 * admin: everything, including keys and the repository passphrase. operator: policies, jobs,
 * backups, restores, checks. auditor: read-only (reports, the audit log, policies, jobs, snapshot
 * lists and listings), never file contents.
 */
export const ROLES = ['admin', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Metadata key of the roles a route admits (read by AccessGuard). */
export const ROUTE_ROLES = 'arca:route-roles';

/**
 * The roles that may call a route, beside admin, who may call every route. Every gateway route
 * carries this (or PublicRoute): AccessGuard refuses a route that has neither, so a route added
 * without a decision is closed, not open. `@Roles('admin')` is an admin-only route.
 */
export const Roles = (...roles: Role[]): ClassDecorator & MethodDecorator => SetMetadata(ROUTE_ROLES, [...new Set<Role>(['admin', ...roles])]);

/** Metadata key of routes that act on the whole repository (AccessGuard admits only the `default` tenant's callers). */
export const INSTALLATION_ROUTE = 'arca:installation-route';

/**
 * A repository-wide operation (passphrase change, prune, check and repair): every tenant's data
 * is in it, so only callers of the installation tenant `default` may run it; others get 403.
 */
export const InstallationRoute = (): ClassDecorator & MethodDecorator => SetMetadata(INSTALLATION_ROUTE, true);
