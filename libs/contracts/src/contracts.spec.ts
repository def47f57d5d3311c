import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAsyncApi } from './asyncapi';
import { createEvent, validateEvent } from './envelope';
import { deadLetterTopic, TOPIC_CATALOGUE, TOPICS } from './topics';

const jobId = '0b6c2f4e-3c1a-4d2b-9f00-1a2b3c4d5e6f';
const source = { kind: 'directory' as const, path: '/srv/data' };

describe('event validation', () => {
  it('accepts an event made by createEvent', async () => {
    const event = createEvent(TOPICS.backupRequested, { jobId, source, trigger: 'manual' }, { jobId, actor: 'alice' });
    const result = await validateEvent(TOPICS.backupRequested, Buffer.from(JSON.stringify(event)));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.payload.source.path).toBe('/srv/data');
  });

  it('names every failing field', async () => {
    const event = createEvent(TOPICS.backupRequested, { jobId: 'nope', source: { kind: 'tape' }, trigger: 'manual' } as never);
    const result = await validateEvent(TOPICS.backupRequested, JSON.stringify(event));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/invalid backup\.requested payload/);
      expect(result.reason).toMatch(/jobId/);
      expect(result.reason).toMatch(/source\.kind must be one of directory, postgres, stream/);
    }
  });

  it('rejects bad JSON, a wrong envelope, a type that does not match the topic, and unknown topics', async () => {
    expect(await validateEvent(TOPICS.backupRequested, '{not json')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    expect(await validateEvent(TOPICS.backupRequested, '{"payload":{}}')).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid envelope: .*eventId/) });
    const policy = createEvent(TOPICS.policyDeleted, { policyId: jobId, version: 1 });
    expect(await validateEvent(TOPICS.backupRequested, JSON.stringify(policy))).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match topic/) });
    expect(await validateEvent('no.such.topic', '{}')).toMatchObject({ ok: false, reason: 'unknown topic "no.such.topic"' });
    expect(await validateEvent(TOPICS.backupRequested, null)).toMatchObject({ ok: false, reason: 'empty message' });
  });

  it('tolerates fields it does not know (a newer producer) by dropping them', async () => {
    const event = { ...createEvent(TOPICS.policyDeleted, { policyId: jobId, version: 2 }), extra: 1 };
    (event.payload as unknown as Record<string, unknown>).addedLater = true;
    const result = await validateEvent(TOPICS.policyDeleted, JSON.stringify(event));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.payload).toEqual({ policyId: jobId, version: 2 });
  });

  it('names dead-letter topics after their source topic', () => {
    expect(deadLetterTopic('backup.requested')).toBe('backup.requested.dlq');
  });
});

describe('AsyncAPI description', () => {
  it('describes every topic in the catalogue', () => {
    const doc = buildAsyncApi() as { channels: Record<string, { address: string }> };
    expect(Object.values(doc.channels).map((c) => c.address).sort()).toEqual(Object.keys(TOPIC_CATALOGUE).sort());
  });

  it('is committed up to date (run `npm run asyncapi` after changing an event)', () => {
    const committed = JSON.parse(readFileSync(path.join(__dirname, '..', 'asyncapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildAsyncApi())));
  });
});
