import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { callerOf } from './auth/caller';
import { AuthenticatedRequest } from './auth/principal';
import { GatewayEvents } from './gateway-events';

/** Which operator requests are recorded, and the audit action each becomes. */
const AUDITED: Array<{ method: string; route: RegExp; action: string }> = [
  { method: 'POST', route: /^\/policies$/, action: 'policy.create' },
  { method: 'PUT', route: /^\/policies\/[^/]+$/, action: 'policy.update' },
  { method: 'DELETE', route: /^\/policies\/[^/]+$/, action: 'policy.delete' },
  { method: 'POST', route: /^\/jobs$/, action: 'backup.run' },
  { method: 'POST', route: /^\/streams$/, action: 'backup.run' },
];

/** Records successful policy and job requests in the audit log, under the authenticated caller (restores, checks, keys audit themselves). */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(private readonly events: GatewayEvents) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const rule = AUDITED.find((r) => r.method === request.method && r.route.test(request.path));
    if (!rule) return next.handle();
    const caller = callerOf(request); // taken now: the trace context is the request's
    return next.handle().pipe(tap((result: unknown) => {
      const r = (result ?? {}) as Record<string, unknown>;
      const target = String(r.id ?? r.jobId ?? request.params?.id ?? request.path);
      this.events.audit(caller, rule.action, target, { path: request.path, ...(r.name ? { name: r.name } : {}) })
        .catch((error) => this.logger.warn(`audit record for ${rule.action} ${target} not published: ${(error as Error).message}`));
    }));
  }
}
