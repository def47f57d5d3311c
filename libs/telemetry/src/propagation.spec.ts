import { SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { currentJobId, errorChain, extractTraceContext, injectTraceHeaders, logContext, runInSpan, traceparentIds } from './propagation';
import { useInMemorySpans } from './testing';

describe('trace propagation', () => {
  it('carries one trace id through message headers (Buffer values, as kafkajs delivers them)', async () => {
    const spans = useInMemorySpans();
    spans.reset();
    const headers = await runInSpan('publish', {}, () => injectTraceHeaders({} as Record<string, string>));
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const asKafka = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    await runInSpan('consume', { parent: extractTraceContext(asKafka) }, () => undefined);
    const [publish, consume] = spans.getFinishedSpans();
    expect(consume.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(consume.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
  });

  it('records a failing span as an error', async () => {
    const spans = useInMemorySpans();
    spans.reset();
    await expect(runInSpan('boom', {}, () => { throw new Error('bad chunk'); })).rejects.toThrow('bad chunk');
    expect(spans.getFinishedSpans()[0].status.message).toBe('bad chunk');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('records the exception with its cause chain', async () => {
    const spans = useInMemorySpans();
    spans.reset();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3004'), { code: 'ECONNREFUSED' });
    const unreachable = new Error('dedupe-index unreachable', { cause: new TypeError('fetch failed', { cause: refused }) });
    await expect(runInSpan('lookup', {}, () => { throw unreachable; })).rejects.toBe(unreachable);
    const [span] = spans.getFinishedSpans();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'dedupe-index unreachable' });
    expect(span.attributes['arca.error.causes']).toEqual(['TypeError: fetch failed', 'Error: connect ECONNREFUSED 127.0.0.1:3004']);
    const exception = span.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes?.['exception.message']).toBe('dedupe-index unreachable');
    expect(String(exception.attributes?.['exception.stacktrace'])).toMatch(/^Error: dedupe-index unreachable\n[\s\S]*\nCaused by: TypeError: fetch failed\n[\s\S]*\nCaused by: Error: connect ECONNREFUSED 127\.0\.0\.1:3004/);
  });

  it('lists no causes for an error that wraps none, and stops at a cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(errorChain(b).map((e) => e.message)).toEqual(['b', 'a']);
    expect(errorChain('plain').map((e) => e.message)).toEqual(['plain']);
  });

  it('reads the trace and span ids of a traceparent header, as a string or as Kafka delivers it', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(traceparentIds({ traceparent })).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
    expect(traceparentIds({ traceparent: Buffer.from(traceparent) })?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceparentIds({})).toBeUndefined();
    expect(traceparentIds({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' })).toBeUndefined();
    expect(traceparentIds({ traceparent: 'garbage' })).toBeUndefined();
  });

  it("gives log lines the active span's trace and span ids and the job's id, and nothing outside a span", async () => {
    useInMemorySpans();
    expect(logContext()).toEqual({});
    const jobId = '6d5c4b3a-0000-4000-8000-000000000007';
    const seen = await runInSpan('backup job', { jobId }, (span) => runInSpan('lookup', {}, (inner) => ({ outer: span, inner, context: logContext() })));
    expect(seen.context).toEqual({ trace_id: seen.inner.spanContext().traceId, span_id: seen.inner.spanContext().spanId, job_id: jobId });
    expect(seen.inner.spanContext().traceId).toBe(seen.outer.spanContext().traceId);
    expect(currentJobId()).toBeUndefined();
  });

  it('carries the job id to the services the job calls, as W3C baggage', async () => {
    useInMemorySpans();
    const jobId = '6d5c4b3a-0000-4000-8000-000000000008';
    const headers = await runInSpan('backup job', { jobId }, () => injectTraceHeaders({} as Record<string, string>));
    expect(headers.baggage).toBe(`arca.job_id=${jobId}`);
    // The called service: its span's context comes from the headers, its log lines name the job.
    const there = await runInSpan('POST /chunks/lookup', { parent: extractTraceContext(headers) }, () => logContext());
    expect(there.job_id).toBe(jobId);
    expect(there.trace_id).toBe(headers.traceparent.split('-')[1]);
  });
});
