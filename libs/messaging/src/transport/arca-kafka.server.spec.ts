import { createEvent, DLQ_HEADERS, EventEnvelope, PolicyDeleted, TOPICS } from '@arca/contracts';
import { openTelemetryPrometheusText, runInSpan, useInMemorySpans } from '@arca/telemetry';
import { Controller, Get, INestApplication, NotFoundException, Param } from '@nestjs/common';
import request from 'supertest';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { trace } from '@opentelemetry/api';
import { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventPublisher } from '../event-publisher';
import { observe, startTestKafka, until } from '../testing/test-kafka';
import { ArcaEventContext } from './arca-event-context';
import { ArcaKafkaServer } from './arca-kafka.server';
import { connectKafkaConsumer, describeHandlerError } from './arca-rpc-error.filter';

const received: Array<{ event: EventEnvelope<PolicyDeleted>; context: ArcaEventContext; traceId?: string; parentSpanId?: string }> = [];
/** policyId → attempts that should still throw before the handler succeeds. */
const failuresLeft = new Map<string, number>();
/** policyIds whose handling waits while they are here (a stuck consumer). */
const blocked = new Set<string>();

@Controller()
class PolicyListener {
  @EventPattern(TOPICS.policyDeleted)
  async onDeleted(@Payload() event: EventEnvelope<PolicyDeleted>, @Ctx() context: ArcaEventContext) {
    while (blocked.has(event.payload.policyId)) await new Promise((r) => setTimeout(r, 20));
    const left = failuresLeft.get(event.payload.policyId) ?? 0;
    if (left > 0) {
      failuresLeft.set(event.payload.policyId, left - 1);
      throw new Error(`database unavailable (${left} failure(s) left)`);
    }
    const span = trace.getActiveSpan() as unknown as { spanContext(): { traceId: string }; parentSpanContext?: { spanId: string }; parentSpanId?: string };
    received.push({ event, context, traceId: span?.spanContext().traceId, parentSpanId: span?.parentSpanContext?.spanId ?? span?.parentSpanId });
  }
}

/** HTTP beside the consumer: the consumer's error filter must leave HTTP errors as Nest answers them. */
@Controller('policies')
class PoliciesHttp {
  @Get(':id')
  get(@Param('id') id: string) {
    if (id === 'boom') throw new Error('not for clients');
    throw new NotFoundException(`policy ${id} not found`);
  }
}

let env: Awaited<ReturnType<typeof startTestKafka>>;
let kafka: Kafka;
let publisher: EventPublisher;
let app: INestApplication;
let dlq: Awaited<ReturnType<typeof observe>>;

beforeAll(async () => {
  useInMemorySpans();
  // No broker-side auto-creation, as on a production cluster: the transport must create what it uses.
  env = await startTestKafka({ autoCreateTopics: false });
  kafka = env.kafka;
  publisher = new EventPublisher(kafka);
  // A hybrid application, as every service runs its consumer (bootstrapService).
  const moduleRef = await Test.createTestingModule({ controllers: [PolicyListener, PoliciesHttp] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  connectKafkaConsumer(app, new ArcaKafkaServer({ kafka, groupId: 'policy-listener', publisher, maxAttempts: 3, retryDelayMs: 20, sessionTimeoutMs: 6000, heartbeatIntervalMs: 300 }));
  await app.startAllMicroservices();
  await app.init();
  dlq = await observe(kafka, ['policy.deleted.dlq']);
});

afterAll(async () => {
  await dlq?.stop();
  await app?.close();
  await publisher?.disconnect();
  await env?.close();
});

describe('ArcaKafkaServer', () => {
  it('delivers a valid event to its @EventPattern handler inside a span continuing the producer trace', async () => {
    const policyId = randomUUID();
    const { traceId, spanId } = await runInSpan('test publish', {}, async (span) => {
      await publisher.publish(TOPICS.policyDeleted, { policyId, version: 3 });
      return span.spanContext();
    });
    const got = await until(() => received.find((r) => r.event.payload.policyId === policyId), 'the handler to receive the event');
    expect(got.event).toMatchObject({ type: 'policy.deleted', version: 1, payload: { policyId, version: 3 } });
    expect(got.context).toMatchObject({ topic: 'policy.deleted', groupId: 'policy-listener' });
    expect(got.traceId).toBe(traceId);
    expect(got.parentSpanId).toBe(spanId);
  });

  it('dead-letters a message that is not JSON, and one with a wrong field, with reason, origin and original bytes, then goes on', async () => {
    const wrongField = JSON.stringify(createEvent(TOPICS.policyDeleted, { policyId: 'not-a-uuid', version: 1 } as PolicyDeleted));
    const key = randomUUID(); // one key: one partition, so the good message comes after the bad ones
    await publisher.send(TOPICS.policyDeleted, [
      { key, value: '{this is not json', headers: { 'x-origin': 'hand-written' } },
      { key, value: wrongField },
    ]);
    const goodId = randomUUID();
    await publisher.publishEnvelope(TOPICS.policyDeleted, createEvent(TOPICS.policyDeleted, { policyId: goodId, version: 1 }), { key });

    const badJson = await until(() => dlq.messages.find((m) => m.value === '{this is not json'), 'the bad JSON in the dead-letter topic');
    expect(badJson.key).toBe(key);
    expect(badJson.headers).toMatchObject({
      'x-origin': 'hand-written',
      [DLQ_HEADERS.reason]: expect.stringMatching(/^not JSON: /),
      [DLQ_HEADERS.sourceTopic]: 'policy.deleted',
      [DLQ_HEADERS.partition]: expect.stringMatching(/^\d+$/),
      [DLQ_HEADERS.offset]: expect.stringMatching(/^\d+$/),
      [DLQ_HEADERS.consumerGroup]: 'policy-listener',
    });
    const badField = await until(() => dlq.messages.find((m) => m.value === wrongField), 'the wrong field in the dead-letter topic');
    expect(badField.headers[DLQ_HEADERS.reason]).toBe('invalid policy.deleted payload: policyId must be a UUID');
    expect(Number(badField.headers[DLQ_HEADERS.offset])).toBe(Number(badJson.headers[DLQ_HEADERS.offset]) + 1);
    await until(() => received.find((r) => r.event.payload.policyId === goodId), 'the next good message to be handled');
    // Counted on /metrics (this file dead-letters two here, one more below).
    expect(seriesValue(await openTelemetryPrometheusText(), 'arca_dead_letters_total{topic="policy.deleted",group="policy-listener"}')).toBeGreaterThanOrEqual(2);
  });

  it('retries a throwing handler with backoff, and dead-letters the event when every attempt fails', async () => {
    const flaky = randomUUID();
    const broken = randomUUID();
    failuresLeft.set(flaky, 2).set(broken, 99);
    await publisher.publish(TOPICS.policyDeleted, { policyId: flaky, version: 1 });
    const brokenEvent = await runInSpan('test publish', {}, () => publisher.publish(TOPICS.policyDeleted, { policyId: broken, version: 1 }));

    await until(() => received.find((r) => r.event.payload.policyId === flaky), 'the flaky event to succeed on its third attempt');
    const letter = await until(() => dlq.messages.find((m) => m.value.includes(broken)), 'the failing event in the dead-letter topic');
    expect(JSON.parse(letter.value)).toEqual(brokenEvent);
    expect(letter.headers[DLQ_HEADERS.reason]).toBe('handler failed after 3 attempts: database unavailable (97 failure(s) left)');
    expect(letter.headers.traceparent).toMatch(/^00-/); // the original headers travel with it
    expect(dlq.messages.some((m) => m.value.includes(flaky))).toBe(false);

    const after = randomUUID();
    await publisher.publish(TOPICS.policyDeleted, { policyId: after, version: 1 });
    await until(() => received.find((r) => r.event.payload.policyId === after), 'the consumer to go on after the dead letter');
  });

  it("reports the group's lag per topic on /metrics, read from the broker: what is published and not yet committed", async () => {
    const lag = async () => seriesValue(await openTelemetryPrometheusText(), 'arca_consumer_lag_messages{topic="policy.deleted",group="policy-listener"}');
    const waitFor = async (probe: (lag: number) => boolean, what: string) => {
      const deadline = Date.now() + 15_000;
      for (let seen = await lag(); !probe(seen); seen = await lag()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (lag ${seen})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitFor((n) => n === 0, 'the lag to be 0 once everything is handled and committed');
    const paused = randomUUID();
    blocked.add(paused);
    await publisher.publish(TOPICS.policyDeleted, { policyId: paused, version: 1 });
    await publisher.publish(TOPICS.policyDeleted, { policyId: randomUUID(), version: 1 });
    await waitFor((n) => n >= 1, 'the lag to grow while the handler is stuck');
    blocked.delete(paused);
    await waitFor((n) => n === 0, 'the lag back to 0 once it goes on');
  });
});

/** The value of one series on a Prometheus text page, or NaN. */
function seriesValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

describe('the consumer\'s error filter on HTTP', () => {
  it('leaves HTTP errors to Nest: a 404 keeps its message, an unexpected error is a plain 500', async () => {
    const missing = await request(app.getHttpServer()).get('/policies/p-1');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, message: 'policy p-1 not found' });
    const crashed = await request(app.getHttpServer()).get('/policies/boom');
    expect(crashed.status).toBe(500);
    expect(crashed.body).toEqual({ statusCode: 500, message: 'Internal server error' });
  });
});

describe('describeHandlerError', () => {
  it('says when Nest has hidden the error and how to keep it', () => {
    expect(describeHandlerError(new Error('disk full'))).toBe('disk full');
    expect(describeHandlerError({ status: 'error', message: 'Internal server error' })).toMatch(/register ArcaRpcErrorFilter globally/);
    expect(describeHandlerError('plain')).toBe('plain');
  });
});
