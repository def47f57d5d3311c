import { TOPIC_CATALOGUE } from '@arca/contracts';
import { describe, expect, it } from 'vitest';
import { EventsController } from './events.controller';
import { useGatewayApp } from './testing/use-gateway-app';

describe('GET /events at the gateway', () => {
  const gateway = useGatewayApp({ controllers: [EventsController] });
  const get = async (path: string) => {
    const response = await fetch(gateway.base + path);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { message?: string } };
  };

  it('lists every event type with its version and schema, and serves each schema and the AsyncAPI document', async () => {
    const list = (await get('/events/schemas')).body as unknown as { topic: string; version: number; id: string; url: string }[];
    expect(list.map((e) => e.topic).sort()).toEqual(Object.keys(TOPIC_CATALOGUE).sort());
    expect(list.find((e) => e.topic === 'backup.failed')).toEqual({ topic: 'backup.failed', version: 1, id: 'urn:arca:event:backup.failed:v1', url: '/events/schemas/backup.failed/v1' });
    const schema = await get('/events/schemas/backup.failed/v1');
    expect(schema).toMatchObject({ status: 200, body: { $id: 'urn:arca:event:backup.failed:v1', properties: { payload: { $ref: '#/$defs/BackupFailed' } } } });
    const asyncApi = await get('/events/asyncapi.json');
    expect(asyncApi).toMatchObject({ status: 200, body: { asyncapi: '3.0.0' } });
  });

  it('answers 404 naming an unknown event type or version', async () => {
    expect(await get('/events/schemas/backup.exploded/v1')).toMatchObject({ status: 404, body: { message: 'no event type "backup.exploded": GET /events/schemas lists them' } });
    expect(await get('/events/schemas/backup.failed/v2')).toMatchObject({ status: 404, body: { message: 'backup.failed has no schema version "v2": its versions are v1' } });
  });
});
