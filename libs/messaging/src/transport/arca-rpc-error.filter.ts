import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC exception filter replaces any error a handler throws with
 * `{ status: 'error', message: 'Internal server error' }`. Registered globally
 * (`app.useGlobalFilters(new ArcaRpcErrorFilter())`), this one lets the original error through,
 * so ArcaKafkaServer logs it and names it in the dead letter's x-dlq-reason.
 */
@Catch()
export class ArcaRpcErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/** A handler error as one line; says so when Nest's default filter has hidden the real one. */
export function describeHandlerError(error: unknown): string {
  if (error instanceof Error) return error.message;
  const masked = error as { status?: unknown; message?: unknown } | null;
  if (masked && masked.status === 'error' && masked.message === 'Internal server error') {
    return 'Internal server error (Nest hid the handler\'s error; register ArcaRpcErrorFilter globally to see it)';
  }
  if (masked && typeof masked.message === 'string') return masked.message;
  return String(error);
}
