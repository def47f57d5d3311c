import { createEvent, DLQ_HEADERS, EventEnvelope, PolicyDeleted, TOPICS } from '@arca/contracts';
import { KafkaDevBroker, startBroker } from '@arca/kafka-broker';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { runInSpan, useInMemorySpans } from '@arca/telemetry';
import { Controller, INestMicroservice } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource, IsNull } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventPublisher } from './event-publisher';
import { handleOnce } from './inbox/handle-once';
import { ProcessedEventEntity } from './inbox/processed-event.entity';
import { Messaging1763999999000 } from './messaging.migration';
import { Outbox } from './outbox/outbox';
import { OutboxRelay } from './outbox/outbox-relay';
import { OutboxEntity } from './outbox/outbox.entity';
import { ArcaKafkaServer } from './transport/arca-kafka.server';

let broker: KafkaDevBroker;
let kafka: Kafka;
let dataDir: string;
let dataSource: DataSource;
const schema = createTestSchema('messaging');

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Collects everything on some topics, from the beginning. */
async function collect(topics: string[]) {
  const messages: Array<{ topic: string; value: string; headers: Record<string, string> }> = [];
  const consumer = kafka.consumer({ groupId: `observer-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      messages.push({
        topic, value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? ''])),
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

beforeAll(async () => {
  useInMemorySpans();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'arca-messaging-'));
  broker = await startBroker({ port: 0, dataDir });
  kafka = new Kafka({ clientId: 'messaging-test', brokers: [`localhost:${broker.port}`], logLevel: logLevel.NOTHING });
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema, entities: [OutboxEntity, ProcessedEventEntity], migrations: [Messaging1763999999000],
  });
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ArcaKafkaServer (NestJS transport)', () => {
  const received: Array<{ event: EventEnvelope<PolicyDeleted>; traceId?: string }> = [];

  @Controller()
  class PolicyListener {
    @EventPattern(TOPICS.policyDeleted)
    async onDeleted(@Payload() event: EventEnvelope<PolicyDeleted>) {
      const { trace } = await import('@opentelemetry/api');
      received.push({ event, traceId: trace.getActiveSpan()?.spanContext().traceId });
    }
  }

  let app: INestMicroservice;

  beforeAll(async () => {
    const publisher = new EventPublisher(kafka);
    const moduleRef = await Test.createTestingModule({ controllers: [PolicyListener] }).compile();
    app = moduleRef.createNestMicroservice({ strategy: new ArcaKafkaServer({ kafka, groupId: 'policy-listener', publisher, sessionTimeoutMs: 6000, heartbeatIntervalMs: 300 }), logger: false });
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('delivers a valid event to its @EventPattern handler inside the producer trace', async () => {
    const publisher = new EventPublisher(kafka);
    const policyId = randomUUID();
    const traceId = await runInSpan('test publish', {}, async (span) => {
      await publisher.publish(TOPICS.policyDeleted, { policyId, version: 3 });
      return span.spanContext().traceId;
    });
    const got = await until(() => received.find((r) => r.event.payload.policyId === policyId), 'the handler to receive the event');
    expect(got.event.payload.version).toBe(3);
    expect(got.traceId).toBe(traceId);
    await publisher.disconnect();
  });

  it('dead-letters malformed messages with the reason and original bytes, then goes on', async () => {
    const dlq = await collect(['policy.deleted.dlq']);
    const publisher = new EventPublisher(kafka);
    const wrongField = JSON.stringify(createEvent(TOPICS.policyDeleted, { policyId: 'not-a-uuid', version: 1 } as PolicyDeleted));
    await publisher.send(TOPICS.policyDeleted, [{ value: '{this is not json' }, { value: wrongField }]);
    const goodId = randomUUID();
    await publisher.publish(TOPICS.policyDeleted, { policyId: goodId, version: 1 });

    await until(() => (dlq.messages.length >= 2 ? dlq.messages : undefined), 'two dead letters');
    // Unkeyed messages land on any partition, so the two dead letters may come in either order.
    const badJson = dlq.messages.find((m) => m.value === '{this is not json')!;
    expect(badJson.headers[DLQ_HEADERS.reason]).toMatch(/^not JSON/);
    expect(badJson.headers[DLQ_HEADERS.sourceTopic]).toBe('policy.deleted');
    expect(badJson.headers[DLQ_HEADERS.consumerGroup]).toBe('policy-listener');
    const badField = dlq.messages.find((m) => m.value === wrongField)!;
    expect(badField.headers[DLQ_HEADERS.reason]).toMatch(/invalid policy\.deleted payload: policyId/);
    await until(() => received.find((r) => r.event.payload.policyId === goodId), 'the next good message to be handled');
    await dlq.stop();
    await publisher.disconnect();
  });
});

describe('transactional outbox', () => {
  it('publishes what was committed, never what was rolled back, and what was pending after a restart', async () => {
    const observed = await collect([TOPICS.policyDeleted]);
    const publisher = new EventPublisher(kafka);
    const outbox = new Outbox();
    const committed = randomUUID();
    const rolledBack = randomUUID();
    const pendingBeforeStart = randomUUID();

    // Enqueued while no relay runs: as if the service crashed between commit and publish.
    await dataSource.transaction((m) => outbox.enqueue(m, TOPICS.policyDeleted, { policyId: pendingBeforeStart, version: 1 }));
    const relay = new OutboxRelay(dataSource, publisher, outbox, { pollIntervalMs: 100 });
    relay.start();
    await dataSource.transaction((m) => outbox.enqueue(m, TOPICS.policyDeleted, { policyId: committed, version: 1 }));
    await expect(dataSource.transaction(async (m) => {
      await outbox.enqueue(m, TOPICS.policyDeleted, { policyId: rolledBack, version: 1 });
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');

    const ids = () => observed.messages.flatMap((m) => {
      try {
        return [JSON.parse(m.value).payload.policyId as string];
      } catch {
        return []; // the malformed messages of the dead-letter test share this topic
      }
    });
    await until(() => ids().includes(committed) && ids().includes(pendingBeforeStart), 'both committed events on Kafka');
    await new Promise((r) => setTimeout(r, 300));
    expect(ids()).not.toContain(rolledBack);
    expect(await dataSource.getRepository(OutboxEntity).countBy({ publishedAt: IsNull() })).toBe(0);
    relay.stop();
    await observed.stop();
    await publisher.disconnect();
  });
});

describe('handleOnce', () => {
  it('applies an event once per consumer group', async () => {
    const eventId = randomUUID();
    let applied = 0;
    expect(await handleOnce(dataSource, 'g1', eventId, async () => { applied++; })).toBe(true);
    expect(await handleOnce(dataSource, 'g1', eventId, async () => { applied++; })).toBe(false);
    expect(await handleOnce(dataSource, 'g2', eventId, async () => { applied++; })).toBe(true);
    expect(applied).toBe(2);
  });

  it('records nothing when the effects fail, so a retry applies them', async () => {
    const eventId = randomUUID();
    await expect(handleOnce(dataSource, 'g1', eventId, async () => { throw new Error('db hiccup'); })).rejects.toThrow('db hiccup');
    expect(await handleOnce(dataSource, 'g1', eventId, async () => undefined)).toBe(true);
  });
});
