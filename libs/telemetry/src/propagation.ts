import { context, Context, createContextKey, isSpanContextValid, propagation, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

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

/** The trace and span ids a message's W3C `traceparent` header names, if it has a valid one. */
export function traceparentIds(headers: Carrier | undefined): { traceId: string; spanId: string } | undefined {
  const raw = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === 'traceparent')?.[1];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.toString().trim().toLowerCase();
  const m = value?.match(/^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/);
  if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return undefined;
  return { traceId: m[1], spanId: m[2] };
}

/** The trace headers of the active context as plain strings, for storing beside queued work. */
export function currentTraceHeaders(): Record<string, string> {
  return injectTraceHeaders({} as Record<string, string>);
}

const JOB_ID = createContextKey('arca.job_id');
/** The W3C baggage entry that carries the job id to the services a job's work calls over HTTP or Kafka. */
export const JOB_BAGGAGE = 'arca.job_id';

/** The job the work in progress belongs to (runInSpan's `jobId` here, or the caller's, from its baggage), for log lines. */
export function currentJobId(): string | undefined {
  const active = context.active();
  return (active.getValue(JOB_ID) as string | undefined) ?? propagation.getBaggage(active)?.getEntry(JOB_BAGGAGE)?.value;
}

/** `ctx` belonging to a job: for this process (a context value) and for those it calls (baggage). */
function withJob(ctx: Context, jobId: string): Context {
  const baggage = (propagation.getBaggage(ctx) ?? propagation.createBaggage()).setEntry(JOB_BAGGAGE, { value: jobId });
  return propagation.setBaggage(ctx.setValue(JOB_ID, jobId), baggage);
}

/** What each log line carries to join it to its trace and job: `trace_id`, `span_id`, `job_id` where known. */
export function logContext(): { trace_id?: string; span_id?: string; job_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  const jobId = currentJobId();
  return {
    ...(span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {}),
    ...(jobId ? { job_id: jobId } : {}),
  };
}

/**
 * Runs `fn` inside a new span (child of `parent` when given, else of the active context),
 * recording an exception and error status when it throws. With `jobId`, the work (and every log
 * line written during it) belongs to that job.
 */
export function runInSpan<T>(
  name: string,
  options: { parent?: Context; kind?: SpanKind; attributes?: Record<string, string | number | boolean>; jobId?: string },
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const base = options.parent ?? context.active();
  const parent = options.jobId ? withJob(base, options.jobId) : base;
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };

/** An error and the errors it wraps (`cause`), outermost first, as `type: message` lines. */
export function errorChain(error: unknown): Array<{ type: string; message: string; stack?: string }> {
  const chain: Array<{ type: string; message: string; stack?: string }> = [];
  const seen = new Set<unknown>();
  for (let e = error; e !== undefined && e !== null && !seen.has(e) && chain.length < 10; e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof Error) chain.push({ type: e.name, message: e.message, stack: e.stack });
    else {
      chain.push({ type: typeof e, message: typeof e === 'object' ? JSON.stringify(e) : String(e) });
      break;
    }
  }
  return chain;
}

/**
 * Marks a span failed: status ERROR with the error's message, and the exception recorded with
 * its whole cause chain (the stack trace goes on with a "Caused by:" section per cause, as in
 * Java, and `arca.error.causes` lists each cause as `type: message`).
 */
export function recordError(span: Span, error: unknown): void {
  const [top, ...causes] = errorChain(error);
  if (!top) return;
  const stack = [top.stack ?? `${top.type}: ${top.message}`, ...causes.map((c) => `Caused by: ${c.stack ?? `${c.type}: ${c.message}`}`)].join('\n');
  span.recordException({ name: top.type, message: top.message, stack });
  if (causes.length > 0) span.setAttribute('arca.error.causes', causes.map((c) => `${c.type}: ${c.message}`));
  span.setStatus({ code: SpanStatusCode.ERROR, message: top.message });
}

/** The id of the active trace (32 hex digits), for records that point back at it (the audit log). */
export function currentTraceId(): string | undefined {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : undefined;
}
