import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { extractTraceContext, injectTraceHeaders, runInSpan } from './propagation';
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
});
