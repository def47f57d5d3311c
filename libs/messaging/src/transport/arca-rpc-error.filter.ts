import { ArgumentsHost, Catch, INestApplication, INestMicroservice } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { BaseExceptionFilter } from '@nestjs/core';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC exception filter replaces any error a handler throws with
 * `{ status: 'error', message: 'Internal server error' }`. This one lets the original error
 * through, so ArcaKafkaServer logs it and names it in the dead letter's x-dlq-reason.
 *
 * A service's Kafka consumer is a hybrid microservice, and Nest marks those initialized the
 * moment they are connected, so their own useGlobalFilters is ignored (with a warning). The
 * filter is therefore registered on the HTTP application before the consumer is connected
 * (`inheritAppConfig`), and leaves HTTP errors to Nest's own handling.
 */
@Catch()
export class ArcaRpcErrorFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
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

/**
 * Connects a service's Kafka consumer to its HTTP application, the one way that keeps handler
 * errors: the filter first (a hybrid consumer ignores filters added after it connects), then the
 * consumer, sharing the application's pipes and filters.
 */
export function connectKafkaConsumer(app: INestApplication, server: CustomTransportStrategy): INestMicroservice {
  app.useGlobalFilters(new ArcaRpcErrorFilter(app.getHttpAdapter()));
  return app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
}
