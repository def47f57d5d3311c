import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestKafka } from './testing/test-kafka';
import { TopicCreator } from './topic-creator';

describe('TopicCreator', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('creates only missing topics, so a restart logs no kafkajs errors for topics that exist', async () => {
    const test = await startTestKafka({ autoCreateTopics: false });
    closers.push(test.close);
    const errors: string[] = [];
    const kafka = new Kafka({
      clientId: 'topic-creator-spec', brokers: [`localhost:${test.broker.port}`], logLevel: logLevel.ERROR,
      logCreator: () => ({ log }) => { errors.push(String(log.message)); },
    });
    const first = new TopicCreator(kafka);
    closers.push(() => first.disconnect());
    await first.ensure(['existing']);

    const restarted = new TopicCreator(kafka); // a new process: nothing ensured yet
    closers.push(() => restarted.disconnect());
    await restarted.ensure(['existing', 'added']);

    const admin = test.kafka.admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    expect((await admin.listTopics()).sort()).toEqual(['added', 'existing']);
    expect(errors).toEqual([]);
  });
});
