import { context, Context, propagation, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = () => trace.getTracer('arca');

type Carrier = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

/** Adds the active trace context (W3C traceparent/tracestate, baggage) to outgoing message headers. */
export function injectTraceHeaders<T extends Record<string, unknown>>(headers: T, from: Context = context.active()): T {
  propagation.inject(from, headers);
  return headers;
}

/** The trace context carried by incoming Kafka or HTTP headers (Kafka header values arrive as Buffers). */
export function extractTraceContext(headers: Carrier | undefined): Context {
  const plain: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) plain[key.toLowerCase()] = first.toString();
  }
  return propagation.extract(context.active(), plain);
}

/** The trace headers of the active context as plain strings, for storing beside queued work. */
export function currentTraceHeaders(): Record<string, string> {
  return injectTraceHeaders({} as Record<string, string>);
}

/**
 * Runs `fn` inside a new span (child of `parent` when given, else of the active context),
 * recording an exception and error status when it throws.
 */
export function runInSpan<T>(
  name: string,
  options: { parent?: Context; kind?: SpanKind; attributes?: Record<string, string | number | boolean> },
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };

/** The id of the active trace (32 hex digits), for records that point back at it (the audit log). */
export function currentTraceId(): string | undefined {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : undefined;
}
