import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import { GatewayEvents } from './gateway-events';

/** Which operator requests are recorded, and the audit action each becomes. */
const AUDITED: Array<{ method: string; route: RegExp; action: string }> = [
  { method: 'POST', route: /^\/policies$/, action: 'policy.create' },
  { method: 'PUT', route: /^\/policies\/[^/]+$/, action: 'policy.update' },
  { method: 'DELETE', route: /^\/policies\/[^/]+$/, action: 'policy.delete' },
  { method: 'POST', route: /^\/jobs$/, action: 'backup.run' },
  { method: 'POST', route: /^\/streams$/, action: 'backup.run' },
];

/** Records successful policy and job requests in the audit log (restores and checks audit themselves). */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(private readonly events: GatewayEvents) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const rule = AUDITED.find((r) => r.method === request.method && r.route.test(request.path));
    if (!rule) return next.handle();
    const actor = request.header('x-arca-actor')?.trim() || 'anonymous';
    return next.handle().pipe(tap((result: unknown) => {
      const r = (result ?? {}) as Record<string, unknown>;
      const target = String(r.id ?? r.jobId ?? request.params?.id ?? request.path);
      this.events.audit(actor, rule.action, target, { path: request.path, ...(r.name ? { name: r.name } : {}) })
        .catch((error) => this.logger.warn(`audit record for ${rule.action} ${target} not published: ${(error as Error).message}`));
    }));
  }
}
