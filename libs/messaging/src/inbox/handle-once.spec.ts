import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Messaging1763999999000 } from '../messaging.migration';
import { OutboxEntity } from '../outbox/outbox.entity';
import { handleOnce } from './handle-once';
import { ProcessedEventEntity } from './processed-event.entity';

const schema = createTestSchema('handle_once');
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema, entities: [OutboxEntity, ProcessedEventEntity], migrations: [Messaging1763999999000],
  });
  await dataSource.query(`CREATE TABLE "${schema.schema}".effects (event_id uuid NOT NULL)`);
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
});

const effects = async (eventId: string) => Number((await dataSource.query(`SELECT count(*) AS n FROM "${schema.schema}".effects WHERE event_id = $1`, [eventId]))[0].n);
const recordEffect = (eventId: string) => (manager: import('typeorm').EntityManager) => manager.query(`INSERT INTO "${schema.schema}".effects VALUES ($1)`, [eventId]).then(() => undefined);

describe('handleOnce', () => {
  it('applies an event once per consumer group, skipping a redelivered duplicate', async () => {
    const eventId = randomUUID();
    expect(await handleOnce(dataSource, 'g1', eventId, recordEffect(eventId))).toBe(true);
    expect(await handleOnce(dataSource, 'g1', eventId, recordEffect(eventId))).toBe(false);
    expect(await handleOnce(dataSource, 'g2', eventId, recordEffect(eventId))).toBe(true);
    expect(await effects(eventId)).toBe(2);
  });

  it('applies a duplicate delivered concurrently once', async () => {
    const eventId = randomUUID();
    const results = await Promise.all([1, 2, 3].map(() => handleOnce(dataSource, 'g1', eventId, recordEffect(eventId))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await effects(eventId)).toBe(1);
  });

  it('records nothing when the effects fail, so a retry applies them', async () => {
    const eventId = randomUUID();
    await expect(handleOnce(dataSource, 'g1', eventId, async (m) => {
      await recordEffect(eventId)(m);
      throw new Error('db hiccup');
    })).rejects.toThrow('db hiccup');
    expect(await effects(eventId)).toBe(0);
    expect(await handleOnce(dataSource, 'g1', eventId, recordEffect(eventId))).toBe(true);
    expect(await effects(eventId)).toBe(1);
  });
});
