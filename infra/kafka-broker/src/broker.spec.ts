import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KafkaDevBroker, startBroker } from './index';
import { ByteWriter } from './protocol/bytes';

let dataDir: string;
let broker: KafkaDevBroker;
const cleanups: Array<() => Promise<unknown>> = [];

function client(port = broker.port) {
  return new Kafka({ clientId: 'conformance', brokers: [`localhost:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
}

async function producerFor(kafka: Kafka) {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return producer;
}

/** A connected admin client, with `topic` created with `numPartitions` partitions. */
async function adminWithTopic(kafka: Kafka, topic: string, numPartitions: number) {
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  return admin;
}

function consumerFor(kafka: Kafka, groupId: string) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
  cleanups.push(() => consumer.disconnect());
  return consumer;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A v2 record batch of one record, as an idempotent producer writes it (the broker checks no CRC). */
function idempotentBatch(producerId: number, epoch: number, sequence: number, value: string): Buffer {
  const record = new ByteWriter().int8(0).int8(0).int8(0).int8(1).int8(value.length * 2).toBuffer(); // attributes, deltas, null key, value length (zigzag)
  const body = Buffer.concat([record, Buffer.from(value), Buffer.from([0])]); // + no headers
  const records = Buffer.concat([Buffer.from([body.length * 2]), body]);
  const header = new ByteWriter().int64(0).int32(49 + records.length).int32(0).int8(2).int32(0).int16(0).int32(0)
    .int64(Date.now()).int64(Date.now()).int64(producerId).int16(epoch).int32(sequence).int32(1).toBuffer();
  return Buffer.concat([header, records]);
}

/** Sends one Produce v3 request over a raw connection; answers the partition's error code and base offset. */
async function produceRaw(port: number, topic: string, batch: Buffer): Promise<{ error: number; baseOffset: number }> {
  const net = await import('node:net');
  const payload = new ByteWriter().int16(0).int16(3).int32(7).string('raw').string(null).int16(-1).int32(5000)
    .array([topic], (w, t) => w.string(t).array([0], (x, p) => x.int32(p).bytes(batch))).toBuffer();
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.concat([new ByteWriter().int32(payload.length).toBuffer(), payload])));
    let answer = Buffer.alloc(0);
    socket.on('data', (d) => {
      answer = Buffer.concat([answer, d]);
      if (answer.length < 4 || answer.length < 4 + answer.readInt32BE(0)) return;
      socket.destroy();
      const at = 8 + 4 + 2 + topic.length + 4 + 4; // size, correlation id, topics[1] name, partitions[1], partition
      resolve({ error: answer.readInt16BE(at), baseOffset: Number(answer.readBigInt64BE(at + 2)) });
    });
    socket.on('error', reject);
  });
}

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'arca-broker-'));
  broker = await startBroker({ port: 0, dataDir });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('development Kafka broker with kafkajs over TCP', () => {
  it('delivers every message exactly once per group, in order per partition, across 2 consumers of 3 partitions', async () => {
    const kafka = client();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
    await admin.disconnect();

    const seen = new Map<string, Array<{ partition: number; offset: number; value: string }>>();
    const consumers = ['group-a', 'group-a', 'group-b'].map((group, i) => {
      const consumer = consumerFor(kafka, group);
      const key = `${group}#${i}`;
      seen.set(key, []);
      return { consumer, key, group };
    });
    for (const { consumer, key } of consumers) {
      await consumer.connect();
      await consumer.subscribe({ topic: 'orders', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => { seen.get(key)!.push({ partition, offset: Number(message.offset), value: message.value!.toString() }); } });
    }

    const producer = await producerFor(kafka);
    const total = 90;
    for (let i = 0; i < total; i += 10) {
      await producer.send({ topic: 'orders', messages: Array.from({ length: 10 }, (_, j) => ({ key: `customer-${(i + j) % 7}`, value: String(i + j) })) });
    }

    const groupA = () => [...seen.get('group-a#0')!, ...seen.get('group-a#1')!];
    await until(() => groupA().length >= total && seen.get('group-b#2')!.length >= total, 'both groups to receive every message');
    await new Promise((r) => setTimeout(r, 300)); // would reveal duplicates arriving late

    for (const received of [groupA(), seen.get('group-b#2')!]) {
      expect(received.map((m) => Number(m.value)).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
      for (const partition of [0, 1, 2]) {
        const offsets = received.filter((m) => m.partition === partition).map((m) => m.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
    }
    // Both members of group-a did work: the group really split the partitions.
    expect(seen.get('group-a#0')!.length).toBeGreaterThan(0);
    expect(seen.get('group-a#1')!.length).toBeGreaterThan(0);
  });

  it('rebalances when a consumer leaves: the remaining one takes over all partitions', async () => {
    const kafka = client();
    const producer = await producerFor(kafka);
    await producer.send({ topic: 'events', messages: [{ value: 'warm-up' }] }); // auto-creates with 3 partitions

    const first = consumerFor(kafka, 'workers');
    const second = consumerFor(kafka, 'workers');
    const assigned = { first: 0, second: 0 };
    const received: string[] = [];
    for (const [name, consumer] of [['first', first], ['second', second]] as const) {
      consumer.on(consumer.events.GROUP_JOIN, (e) => { assigned[name] = (e.payload.memberAssignment['events'] ?? []).length; });
      await consumer.connect();
      await consumer.subscribe({ topic: 'events', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => { received.push(message.value!.toString()); } });
    }
    await until(() => assigned.first > 0 && assigned.second > 0 && assigned.first + assigned.second === 3, 'the two consumers to share the 3 partitions');

    await second.disconnect(); // LeaveGroup
    await until(() => assigned.first === 3, 'the remaining consumer to be assigned all 3 partitions');

    await producer.send({ topic: 'events', messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `after-${i}` })) });
    await until(() => received.filter((v) => v.startsWith('after-')).length === 30, 'the remaining consumer to receive messages of every partition');
  });

  it('keeps messages and committed offsets across a restart', async () => {
    let kafka = client();
    const producer = await producerFor(kafka);
    await producer.send({ topic: 'durable', messages: Array.from({ length: 5 }, (_, i) => ({ key: 'same-key', value: `m${i}` })) });

    const consumer = consumerFor(kafka, 'resumer');
    await consumer.connect();
    await consumer.subscribe({ topic: 'durable', fromBeginning: true });
    const before: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => { before.push(message.value!.toString()); } });
    await until(() => before.length === 5, 'the first five messages');
    await consumer.disconnect(); // commits the consumed offsets
    await producer.disconnect();
    cleanups.length = 0;

    const port = broker.port;
    await broker.close();
    broker = await startBroker({ port, dataDir });
    kafka = client(port);

    const again = await producerFor(kafka);
    await again.send({ topic: 'durable', messages: [{ key: 'same-key', value: 'm5' }] });
    const resumed = consumerFor(kafka, 'resumer');
    await resumed.connect();
    await resumed.subscribe({ topic: 'durable', fromBeginning: true });
    const after: string[] = [];
    await resumed.run({ eachMessage: async ({ message }) => { after.push(message.value!.toString()); } });
    await until(() => after.length >= 1, 'the message produced after the restart');
    await new Promise((r) => setTimeout(r, 300));
    expect(after).toEqual(['m5']); // resumed after the committed offset: nothing re-delivered

    const fresh = consumerFor(kafka, 'newcomer');
    await fresh.connect();
    await fresh.subscribe({ topic: 'durable', fromBeginning: true });
    const all: string[] = [];
    await fresh.run({ eachMessage: async ({ message }) => { all.push(message.value!.toString()); } });
    await until(() => all.length === 6, 'a new group to read the whole persisted log');
    expect(all).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('answers a long-polling fetch as soon as a message is produced', async () => {
    const kafka = client();
    const producer = await producerFor(kafka);
    await producer.send({ topic: 'poll', messages: [{ value: 'first' }] });
    const consumer = kafka.consumer({ groupId: 'poller', maxWaitTimeInMs: 5000, sessionTimeout: 6000, heartbeatInterval: 300 });
    cleanups.push(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic: 'poll', fromBeginning: true });
    const arrivals: Array<{ value: string; at: number }> = [];
    await consumer.run({ eachMessage: async ({ message }) => { arrivals.push({ value: message.value!.toString(), at: Date.now() }); } });
    await until(() => arrivals.length === 1, 'the first message');
    await new Promise((r) => setTimeout(r, 500)); // the consumer is now parked in a 5 s fetch
    const sentAt = Date.now();
    await producer.send({ topic: 'poll', messages: [{ value: 'second' }] });
    await until(() => arrivals.length === 2, 'the second message');
    expect(arrivals[1].at - sentAt).toBeLessThan(2500);
  });

  it('lists, describes and deletes groups, also those known only by offsets committed before a restart', async () => {
    const kafka = client();
    const producer = await producerFor(kafka);
    await producer.send({ topic: 'listed', messages: [{ value: 'one' }] });
    const consumer = consumerFor(kafka, 'listed-group');
    await consumer.connect();
    await consumer.subscribe({ topic: 'listed', fromBeginning: true });
    let received = 0;
    await consumer.run({ eachMessage: async () => { received++; } });
    await until(() => received === 1, 'the message');

    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.listGroups()).groups).toContainEqual({ groupId: 'listed-group', protocolType: 'consumer' });
    expect((await admin.describeGroups(['listed-group'])).groups[0]).toMatchObject({ state: 'Stable', members: [expect.anything()] });
    await expect(admin.deleteGroups(['listed-group'])).rejects.toMatchObject({ groups: [expect.objectContaining({ groupId: 'listed-group', errorCode: 68 })] }); // NON_EMPTY_GROUP
    await consumer.disconnect(); // commits
    await admin.disconnect();
    await producer.disconnect();
    cleanups.length = 0;

    const port = broker.port;
    await broker.close();
    broker = await startBroker({ port, dataDir });
    const restarted = client(port).admin();
    await restarted.connect();
    cleanups.push(() => restarted.disconnect());
    expect((await restarted.listGroups()).groups.map((g) => g.groupId)).toContain('listed-group');
    expect((await restarted.describeGroups(['listed-group', 'never-seen'])).groups.map((g) => g.state)).toEqual(['Empty', 'Dead']);
    expect(await restarted.deleteGroups(['listed-group'])).toEqual([{ groupId: 'listed-group', errorCode: 0 }]);
    expect((await restarted.listGroups()).groups.map((g) => g.groupId)).not.toContain('listed-group');
    expect((await restarted.fetchOffsets({ groupId: 'listed-group', topics: ['listed'] }))[0].partitions.every((p) => p.offset === '-1')).toBe(true);
  });

  it('grows a topic with createPartitions, keeping the messages of the old partitions', async () => {
    const kafka = client();
    const admin = await adminWithTopic(kafka, 'growing', 2);
    const producer = await producerFor(kafka);
    await producer.send({ topic: 'growing', messages: [{ value: 'old', partition: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 5 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['growing'] })).topics[0].partitions).toHaveLength(5);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 3 }] })).rejects.toThrow();
    const fresh = await producerFor(client()); // kafkajs drops messages for partitions its cached metadata lacks
    await fresh.send({ topic: 'growing', messages: [{ value: 'new', partition: 4 }] });
    const offsets = await admin.fetchTopicOffsets('growing');
    expect(offsets.map((o) => [o.partition, o.high]).sort()).toEqual([[0, '0'], [1, '1'], [2, '0'], [3, '0'], [4, '1']]);
  });

  it('finds the first offset at or after a timestamp, in plain and gzip batches', async () => {
    const kafka = client();
    const admin = await adminWithTopic(kafka, 'timed', 1);
    const producer = await producerFor(kafka);
    await producer.send({ topic: 'timed', messages: [{ value: 'a', timestamp: '1000' }, { value: 'b', timestamp: '2000' }] });
    await producer.send({ topic: 'timed', compression: CompressionTypes.GZIP, messages: [{ value: 'c', timestamp: '3000' }, { value: 'd', timestamp: '4000' }] });
    const at = async (time: number) => (await admin.fetchTopicOffsetsByTimestamp('timed', time))[0].offset;
    expect(await at(0)).toBe('0');
    expect(await at(1500)).toBe('1');
    expect(await at(2000)).toBe('1');
    expect(await at(3500)).toBe('3');
    expect(await at(5000)).toBe('4'); // none that late: kafkajs falls back to the log end
  });

  it('refuses an invalid topic name at once instead of letting the client retry', async () => {
    const producer = await producerFor(client());
    const started = Date.now();
    await expect(producer.send({ topic: 'not a topic!', messages: [{ value: 'x' }] })).rejects.toThrow(/invalid topic/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stores a batch an idempotent producer retries once, also after a restart, and refuses one out of sequence', async () => {
    const first = await produceRaw(broker.port, 'idempotent', idempotentBatch(42, 0, 0, 'a'));
    const second = await produceRaw(broker.port, 'idempotent', idempotentBatch(42, 0, 1, 'b'));
    expect([first, second]).toEqual([{ error: 0, baseOffset: 0 }, { error: 0, baseOffset: 1 }]);
    expect(await produceRaw(broker.port, 'idempotent', idempotentBatch(42, 0, 1, 'b'))).toEqual({ error: 0, baseOffset: 1 }); // a retry
    expect((await produceRaw(broker.port, 'idempotent', idempotentBatch(42, 0, 5, 'c'))).error).toBe(45); // OUT_OF_ORDER_SEQUENCE_NUMBER

    const port = broker.port;
    await broker.close();
    broker = await startBroker({ port, dataDir });
    expect(await produceRaw(port, 'idempotent', idempotentBatch(42, 0, 1, 'b'))).toEqual({ error: 0, baseOffset: 1 });
    expect(await produceRaw(port, 'idempotent', idempotentBatch(42, 0, 2, 'c'))).toEqual({ error: 0, baseOffset: 2 });
    const admin = await adminWithTopic(client(port), 'unrelated', 1);
    expect((await admin.fetchTopicOffsets('idempotent')).find((o) => o.partition === 0)?.high).toBe('3');
  });

  it('closes a connection that sends garbage and keeps serving others', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const socket = net.connect(broker.port, '127.0.0.1', () => socket.write(Buffer.from([0, 0, 0, 12, 0, 99, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const producer = await producerFor(client());
    const [result] = await producer.send({ topic: 'still-alive', messages: [{ value: 'ok' }] });
    expect(result.errorCode).toBe(0);
  });
});
