import { KafkaDevBroker, startBroker } from '@arca/kafka-broker';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ObservedMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** For specs: a dev broker on a free port with its own data directory, and a kafkajs client for it. */
export async function startTestKafka(options: { autoCreateTopics?: boolean } = {}): Promise<{ kafka: Kafka; broker: KafkaDevBroker; close(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arca-messaging-'));
  const broker = await startBroker({ port: 0, dataDir, autoCreateTopics: options.autoCreateTopics });
  const kafka = new Kafka({ clientId: 'messaging-test', brokers: [`localhost:${broker.port}`], logLevel: logLevel.NOTHING });
  return {
    kafka,
    broker,
    close: async () => {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads everything on `topics` from the beginning, in a group of its own, into `messages`. */
export async function observe(kafka: Kafka, topics: string[]): Promise<{ messages: ObservedMessage[]; stop(): Promise<void> }> {
  const messages: ObservedMessage[] = [];
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic })) }); // subscribe needs them to exist
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `observer-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      messages.push({
        topic, partition, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? ''])),
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/** Polls `probe` until it returns something truthy; fails naming what it waited for. */
export async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
