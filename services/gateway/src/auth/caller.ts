import { AuditPrincipal, DEFAULT_TENANT } from '@arca/contracts';
import { currentTraceId } from '@arca/telemetry';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { actorOf, AuthenticatedRequest } from './principal';

/** Who made a request, as the audit log and downstream services are told. */
export interface Caller {
  /** `key:<name>`, `oidc:<subject>`, or `anonymous` (a failed login). */
  actor: string;
  /** The authenticated principal's tenant (`default` for a failed login, which has none). */
  tenant: string;
  principal?: AuditPrincipal;
  requestId?: string;
  traceId?: string;
}

export function callerOf(request: AuthenticatedRequest): Caller {
  const p = request.principal;
  return {
    actor: actorOf(p),
    tenant: p?.tenant ?? DEFAULT_TENANT,
    ...(p ? { principal: { type: p.type, id: p.id, name: p.name, roles: p.roles, tenant: p.tenant } } : {}),
    ...(request.requestId ? { requestId: request.requestId } : {}),
    ...(currentTraceId() ? { traceId: currentTraceId() } : {}),
  };
}

/** The authenticated caller of this request (set by AccessGuard): never a name the client chose. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => callerOf(context.switchToHttp().getRequest<AuthenticatedRequest>()));
