import { HttpException, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { ServiceName, serviceUrl } from '@arca/service-kit';

export interface ForwardOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  actor?: string;
}

/**
 * Calls the other services' internal HTTP APIs. Trace context rides along in the `traceparent`
 * header (the undici instrumentation adds it), so a request stays one trace across services.
 * A downstream error is passed through with its status and message; an unreachable service
 * becomes a 503 that names it.
 */
@Injectable()
export class ServiceClient {
  async request<T = unknown>(service: ServiceName, path: string, options: ForwardOptions = {}): Promise<{ status: number; body: T }> {
    const response = await this.open(service, path, options);
    const text = await response.text();
    const body = text ? safeJson(text) : undefined;
    if (!response.ok) {
      throw new HttpException(body ?? { statusCode: response.status, message: text || response.statusText }, response.status);
    }
    return { status: response.status, body: body as T };
  }

  /** The downstream response itself, whatever its status, for bodies passed on as a stream. */
  async open(service: ServiceName, path: string, options: ForwardOptions = {}): Promise<Response> {
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
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ServiceUnavailableException(`the ${service} service is unavailable at ${url.origin} (${cause})`);
    }
  }

  async get<T = unknown>(service: ServiceName, path: string, query?: ForwardOptions['query']): Promise<T> {
    return (await this.request<T>(service, path, { query })).body;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
