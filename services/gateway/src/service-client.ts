import { HttpException, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { TENANT_HEADER } from '@arca/contracts';
import { ServiceName, serviceUrl } from '@arca/service-kit';
import type { Response as ExpressResponse } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';

export interface ForwardOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  actor?: string;
  /**
   * The authenticated caller's tenant, sent as x-arca-tenant on every call: the services filter
   * every query by it. Required, so no call forgets it; it comes from the principal, never from the client.
   */
  tenant: string;
}

/**
 * Calls the other services' internal HTTP APIs. Trace context rides along in the `traceparent`
 * header (the undici instrumentation adds it), so a request stays one trace across services.
 * A downstream error is passed through with its status and message; an unreachable service
 * becomes a 503 that names it.
 */
@Injectable()
export class ServiceClient {
  private readonly logger = new Logger('ServiceClient');

  async request<T = unknown>(service: ServiceName, path: string, options: ForwardOptions): Promise<{ status: number; body: T }> {
    const response = await this.open(service, path, options);
    const text = await response.text();
    const body = text ? safeJson(text) : undefined;
    if (!response.ok) {
      throw new HttpException(body ?? { statusCode: response.status, message: text || response.statusText }, response.status);
    }
    return { status: response.status, body: body as T };
  }

  /** The downstream response itself, whatever its status, for bodies passed on as a stream. */
  async open(service: ServiceName, path: string, options: ForwardOptions): Promise<Response> {
    const url = new URL(serviceUrl(service) + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    try {
      return await fetch(url, {
        method: options.method ?? 'GET',
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.actor ? { 'x-arca-actor': options.actor } : {}),
          [TENANT_HEADER]: options.tenant,
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ServiceUnavailableException(`the ${service} service is unavailable at ${url.origin} (${cause})`);
    }
  }

  /**
   * Streams a downstream answer (status, content type and disposition, body) to the client, for
   * bodies too large to hold (file contents, exports). Returns whether the answer was a success.
   */
  async relay(service: ServiceName, path: string, options: ForwardOptions, res: ExpressResponse, what: string): Promise<boolean> {
    const upstream = await this.open(service, path, options);
    res.status(upstream.status);
    res.setHeader('content-type', upstream.headers.get('content-type') ?? 'application/octet-stream');
    const disposition = upstream.headers.get('content-disposition');
    if (disposition) res.setHeader('content-disposition', disposition);
    if (!upstream.body) {
      res.end();
      return upstream.ok;
    }
    try {
      await pipeline(Readable.fromWeb(upstream.body as ReadableStream), res);
    } catch (error) {
      // the service broke the transfer off (a damaged chunk past the first bytes) or the client left:
      // the client sees a broken transfer, never wrong bytes, and the gateway keeps serving
      this.logger.warn(`streaming ${what} broke off: ${(error as Error).message}`);
    }
    return upstream.ok;
  }

  async get<T = unknown>(service: ServiceName, path: string, tenant: string, query?: ForwardOptions['query']): Promise<T> {
    return (await this.request<T>(service, path, { query, tenant })).body;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
