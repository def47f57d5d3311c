import { DEFAULT_TENANT } from '@arca/contracts';
import { MetricsService, PUBLIC_ROUTE } from '@arca/service-kit';
import type { Counter } from 'prom-client';
import { CanActivate, ExecutionContext, ForbiddenException, HttpException, HttpStatus, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { GatewayEnv } from '../config';
import { GatewayEvents } from '../gateway-events';
import { Authenticator, GATEWAY_CONFIG } from './authenticator';
import { callerOf } from './caller';
import { FailureLimiter } from './failure-limiter';
import { AuthenticatedRequest } from './principal';
import { INSTALLATION_ROUTE, Role, ROUTE_ROLES } from './roles';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/**
 * The one place access is decided, for every gateway route: public routes (PublicRoute) pass;
 * every other route needs credentials (401) and a role its @Roles admits (403); a route with
 * neither decorator is refused to everyone, so forgetting one closes a route instead of opening
 * it. Failed and refused calls are audited and counted per source address and per key; a subject
 * over the limit gets 429 with Retry-After. Reaching the limit is audited once (auth.rate_limited);
 * the 429s after it are counted in metrics, not audited call by call, so a flood cannot flood
 * the audit log.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');
  private readonly limiter: FailureLimiter;
  private readonly denied: Counter<'status'>;
  private readonly windowSeconds: number;

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly events: GatewayEvents,
    @Inject(GATEWAY_CONFIG) config: GatewayEnv,
    metrics: MetricsService,
  ) {
    this.denied = metrics.counter('arca_gateway_access_denied_total', 'Calls the gateway refused: 401 (no or bad credentials), 403 (role), 429 (too many of those)', ['status']);
    this.windowSeconds = Number(config.ARCA_AUTH_FAILURE_WINDOW_S);
    this.limiter = new FailureLimiter(Number(config.ARCA_AUTH_FAILURE_LIMIT), this.windowSeconds * 1000);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // Kafka handlers: not a caller's request
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const given = request.header('x-request-id');
    request.requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    response.setHeader('x-request-id', request.requestId);

    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROUTE_ROLES, targets);
    const route = `${request.method} ${request.route?.path ?? request.path}`;
    if (!allowed) this.logger.error(`${route} has no @Roles or @PublicRoute: refused to everyone`);
    await this.admit(request, response, allowed, route);
    if (this.reflector.getAllAndOverride<boolean>(INSTALLATION_ROUTE, targets) && request.principal!.tenant !== DEFAULT_TENANT) {
      const reason = `${route} acts on the whole repository: only the ${DEFAULT_TENANT} tenant may call it`;
      this.fail(request, 'auth.refused', reason, []);
      throw new ForbiddenException(reason);
    }
    return true;
  }

  /**
   * Authenticates the request and admits it if its principal has one of `allowed` (none: refused
   * to all); throws 401, 403 or 429. Also used for what is not a Nest route (the API docs).
   */
  async admit(request: AuthenticatedRequest, response: Response, allowed: readonly Role[] | undefined, route: string): Promise<void> {
    const address = `address:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
    this.refuseIfLimited(response, address);
    const authentication = await this.authenticator.authenticate(request);
    if ('failure' in authentication) {
      this.fail(request, 'auth.failed', authentication.failure, [address, authentication.credential]);
      response.setHeader('WWW-Authenticate', 'Bearer realm="arca"');
      throw new UnauthorizedException(authentication.failure);
    }
    const principal = authentication.principal;
    request.principal = principal;
    const principalSubject = `${principal.type}:${principal.id}`;
    this.refuseIfLimited(response, principalSubject);
    if (!allowed || !principal.roles.some((role) => allowed.includes(role))) {
      const reason = allowed ? `role ${principal.roles.join(', ')} may not ${route} (allowed: ${allowed.join(', ')})` : `${route} has no access rule`;
      this.fail(request, 'auth.refused', reason, [address, principalSubject]);
      throw new ForbiddenException(reason);
    }
  }

  private refuseIfLimited(response: Response, subject: string): void {
    const retryAfter = this.limiter.retryAfterSeconds(subject);
    if (retryAfter === 0) return;
    this.denied.inc({ status: '429' });
    response.setHeader('Retry-After', String(retryAfter));
    throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: `too many failed or refused calls; try again in ${retryAfter} s` }, HttpStatus.TOO_MANY_REQUESTS);
  }

  private fail(request: AuthenticatedRequest, action: 'auth.failed' | 'auth.refused', reason: string, subjects: Array<string | undefined>): void {
    this.denied.inc({ status: action === 'auth.failed' ? '401' : '403' });
    const path = request.originalUrl.split('?')[0]; // the whole path, also under a mounted middleware (the docs)
    const details = { reason, method: request.method, path, address: request.ip, ...(subjects[1] ? { credential: subjects[1] } : {}) };
    this.record(request, action, path, details);
    for (const subject of subjects) {
      // The call that puts a subject over the limit is audited once; the 429s after it are not.
      if (subject && this.limiter.fail(subject)) this.record(request, 'auth.rate_limited', path, { subject, address: request.ip, windowSeconds: this.windowSeconds });
    }
  }

  private record(request: AuthenticatedRequest, action: string, target: string, details: Record<string, unknown>): void {
    this.events.audit(callerOf(request), action, target, details)
      .catch((error) => this.logger.warn(`audit record for ${action} not published: ${(error as Error).message}`));
  }
}
