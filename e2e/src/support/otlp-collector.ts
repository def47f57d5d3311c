import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as the stand-in collector received it. */
export interface CollectedSpan {
  traceId: string;
  spanId: string;
  /** The resource's service.name (arca-gateway, arca-ingest, …). */
  service: string;
  name: string;
  /** 0 unset, 1 ok, 2 error (OTLP's StatusCode). */
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
}

export interface OtlpCollector {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the services. */
  endpoint: string;
  spans: CollectedSpan[];
  /** Spans of one trace. */
  trace(traceId: string): CollectedSpan[];
  close(): Promise<void>;
}

interface OtlpKeyValue { key: string; value: OtlpAnyValue }
interface OtlpAnyValue { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: OtlpAnyValue[] } }
interface OtlpSpan {
  traceId: string; spanId: string; name: string; status?: { code?: number; message?: string };
  attributes?: OtlpKeyValue[]; events?: Array<{ name: string; attributes?: OtlpKeyValue[] }>;
}
interface OtlpPayload { resourceSpans?: Array<{ resource: { attributes: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> }

/** OTLP/JSON sends ids as hex, or base64 from some exporters. */
function hexId(id: unknown): string {
  if (typeof id !== 'string') return '';
  return /^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

function anyValue(v: OtlpAnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue;
}

const attributesOf = (list: OtlpKeyValue[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, anyValue(a.value)]));

/**
 * A stand-in OpenTelemetry collector on loopback: takes OTLP/HTTP JSON (start the platform with
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and keeps every span with its service, status,
 * attributes and events, so a test can say which service recorded what in a trace.
 */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as OtlpPayload;
        for (const rs of payload.resourceSpans ?? []) {
          const service = String(attributesOf(rs.resource.attributes)['service.name'] ?? '?');
          for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) {
            spans.push({
              traceId: hexId(span.traceId), spanId: hexId(span.spanId), service, name: span.name,
              status: { code: Number(span.status?.code ?? 0), message: span.status?.message },
              attributes: attributesOf(span.attributes),
              events: (span.events ?? []).map((e) => ({ name: e.name, attributes: attributesOf(e.attributes) })),
            });
          }
        }
      } catch {
        // not JSON (protobuf): ignored; the test's assertions then fail and say what is missing
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The variables that make the services export to `collector` quickly, as JSON. */
export function exportTo(collector: OtlpCollector): NodeJS.ProcessEnv {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '500', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
}
