import type { Request } from 'express';
import type { Role } from './roles';

/** Who a request was authenticated as. */
export interface Principal {
  /** How: an API key of ours, or a bearer token from the configured OIDC issuer. */
  type: 'api-key' | 'oidc';
  /** The key's id, or the token's subject (`sub`). */
  id: string;
  /** The key's name, or the token's subject: a label for people, not an identity. */
  name: string;
  roles: Role[];
  /** The tenant whose objects it sees and touches: the key's, or the token's tenant claim. */
  tenant: string;
}

/** The request as the guard leaves it: authenticated, with an id for logs and the audit trail. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  requestId?: string;
}

/** The principal as the audit log and downstream services name it: `key:<name>` or `oidc:<subject>`. */
export function actorOf(principal: Principal | undefined): string {
  if (!principal) return 'anonymous';
  return principal.type === 'api-key' ? `key:${principal.name}` : `oidc:${principal.id}`;
}
