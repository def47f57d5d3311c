import { TOPICS } from '@arca/contracts';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { openTelemetryPrometheusText, runInSpan, useInMemorySpans } from '@arca/telemetry';
import { CloudEvent, Kafka as CloudEventsKafka, type KafkaMessage } from 'cloudevents';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventPublisher, SERVICE_HEADER } from '../event-publisher';
import { ProcessedEventEntity } from '../inbox/processed-event.entity';
import { Messaging1763999999000 } from '../messaging.migration';
import { observe, startTestKafka, until } from '../testing/test-kafka';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { OutboxEntity } from './outbox.entity';

const schema = createTestSchema('outbox');
let env: Awaited<ReturnType<typeof startTestKafka>>;
let dataSource: DataSource;
let publisher: EventPublisher;
let observed: Awaited<ReturnType<typeof observe>>;
const outbox = new Outbox();

const publishedIds = () => observed.messages.map((m) => JSON.parse(m.value).payload.policyId as string);
const pendingRows = () => dataSource.getRepository(OutboxEntity).countBy({ publishedAt: IsNull() });
const enqueueDeletion = (policyId: string) => dataSource.transaction((m) => outbox.enqueue(m, TOPICS.policyDeleted, { policyId, version: 1 }));

beforeAll(async () => {
  useInMemorySpans();
  env = await startTestKafka();
  publisher = new EventPublisher(env.kafka, 'policy');
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema, entities: [OutboxEntity, ProcessedEventEntity], migrations: [Messaging1763999999000],
  });
  observed = await observe(env.kafka, [TOPICS.policyDeleted]);
});

afterAll(async () => {
  await observed?.stop();
  await publisher?.disconnect();
  await dataSource?.destroy();
  await schema.drop();
  await env?.close();
});

describe('outbox and relay', () => {
  it('publishes an event enqueued in a committed transaction, with the key and trace context of the enqueue, the publishing service and the CloudEvents attributes', async () => {
    const relay = new OutboxRelay(dataSource, publisher, outbox, { pollIntervalMs: 60_000 });
    relay.start();
    const policyId = randomUUID();
    const { event, traceId } = await runInSpan('policy delete', {}, async (span) => ({
      event: await enqueueDeletion(policyId),
      traceId: span.spanContext().traceId,
    }));
    // The poll is a minute away: only the commit's wake-up can have published it this soon.
    const message = await until(() => observed.messages.find((m) => m.value.includes(policyId)), 'the committed event on Kafka', 5_000);
    expect(JSON.parse(message.value)).toEqual(event);
    expect(message.key).toBe(policyId);
    expect(message.headers.traceparent).toContain(traceId);
    expect(message.headers[SERVICE_HEADER]).toBe('policy');
    // The CloudEvents SDK's own Kafka binding reads the message as a binary-mode CloudEvent.
    const asRead: KafkaMessage<string> = { key: message.key ?? '', value: message.value, headers: message.headers, body: message.value };
    const cloudEvent = CloudEventsKafka.toEvent(asRead) as CloudEvent<unknown>;
    expect(cloudEvent).toMatchObject({
      specversion: '1.0', id: event.eventId, source: '/arca/policy', type: 'io.arca.policy.deleted', time: event.occurredAt, subject: policyId,
      dataschema: 'urn:arca:event:policy.deleted:v1', tenant: 'default', datacontenttype: 'application/json',
    });
    expect(cloudEvent.data).toEqual(event);
    await relay.stop();
    expect(await pendingRows()).toBe(0);
  });

  it('never publishes an event whose transaction rolled back', async () => {
    const relay = new OutboxRelay(dataSource, publisher, outbox, { pollIntervalMs: 50 });
    relay.start();
    const rolledBack = randomUUID();
    const committedAfter = randomUUID();
    await expect(dataSource.transaction(async (m) => {
      await outbox.enqueue(m, TOPICS.policyDeleted, { policyId: rolledBack, version: 1 });
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    await enqueueDeletion(committedAfter);
    await until(() => publishedIds().includes(committedAfter), 'the later committed event on Kafka');
    expect(publishedIds()).not.toContain(rolledBack);
    expect(await dataSource.getRepository(OutboxEntity).countBy({})).toBe(await dataSource.getRepository(OutboxEntity).countBy({ publishedAt: IsNull() }) + publishedIds().length);
    await relay.stop();
  });

  it('publishes after a restart what was committed while no relay ran (a crash between commit and publish)', async () => {
    const before = new OutboxRelay(dataSource, publisher, outbox, { pollIntervalMs: 60_000 });
    before.start();
    await before.stop(); // the process "dies"
    const pending: string[] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of pending) await enqueueDeletion(id);
    await new Promise((r) => setTimeout(r, 200));
    expect(publishedIds()).not.toEqual(expect.arrayContaining(pending));
    expect(await pendingRows()).toBe(3);
    const backlog = await before.backlog();
    expect(backlog.count).toBe(3);
    expect(backlog.oldestSeconds).toBeGreaterThan(0.1);

    const after = new OutboxRelay(dataSource, publisher, outbox, { pollIntervalMs: 60_000, batchSize: 2 });
    after.start(); // relays what is pending at once, in batches
    await until(() => pending.every((id) => publishedIds().includes(id)), 'the pending events on Kafka');
    expect(publishedIds().filter((id) => pending.includes(id))).toHaveLength(3); // each once
    // The backlog on /metrics, read while the relay runs.
    const page = await openTelemetryPrometheusText();
    expect(page).toMatch(/^arca_outbox_pending_events 0$/m);
    expect(page).toMatch(/^arca_outbox_oldest_pending_seconds 0$/m);
    await after.stop();
    expect(await pendingRows()).toBe(0);
  });
});
