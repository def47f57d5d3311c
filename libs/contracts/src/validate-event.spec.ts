import { describe, expect, it } from 'vitest';
import { createEvent } from './create-event';
import { TOPICS } from './topics';
import { validateEvent } from './validate-event';

const jobId = '0b6c2f4e-3c1a-4d2b-9f00-1a2b3c4d5e6f';
const source = { kind: 'directory' as const, path: '/srv/data' };
const snapshotId = 'a'.repeat(64);

describe('validateEvent', () => {
  it('accepts an event made by createEvent, from a Buffer, a string or a parsed object', () => {
    const event = createEvent(TOPICS.backupRequested, { jobId, source, trigger: 'manual' }, { jobId, actor: 'alice' });
    for (const raw of [Buffer.from(JSON.stringify(event)), JSON.stringify(event), JSON.parse(JSON.stringify(event))]) {
      const result = validateEvent(TOPICS.backupRequested, raw);
      expect(result).toMatchObject({ ok: true, event: { eventId: event.eventId, jobId, actor: 'alice', payload: { source: { path: '/srv/data' } } } });
    }
  });

  it('names every failing field, with its full path', () => {
    const event = createEvent(TOPICS.backupRequested, { jobId: 'nope', source: { kind: 'tape' }, trigger: 'manual' } as never);
    const result = validateEvent(TOPICS.backupRequested, JSON.stringify(event));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/^invalid backup\.requested payload: /);
      expect(result.reason).toMatch(/jobId must be a UUID/);
      expect(result.reason).toMatch(/source\.kind must be one of directory, postgres, stream/);
    }
  });

  it('validates nested arrays element by element', () => {
    const event = createEvent(TOPICS.restoreCompleted, {
      jobId, snapshotId, target: '/restore',
      stats: { files: 1, dirs: 0, bytesWritten: 1, durationMs: 1, throughputBytesPerSec: 1, failedFiles: [{ path: '/a', reason: 'damaged' }, { path: 7 }] },
    } as never);
    const result = validateEvent(TOPICS.restoreCompleted, JSON.stringify(event));
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/stats\.failedFiles\.1\.path must be a string.*stats\.failedFiles\.1\.reason must be a string/) });
  });

  it('rejects bad JSON, a wrong envelope, a type that does not match the topic, another version, and unknown topics', () => {
    expect(validateEvent(TOPICS.backupRequested, '{not json')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON: /) });
    expect(validateEvent(TOPICS.backupRequested, '[1]')).toMatchObject({ ok: false, reason: 'invalid envelope: expected a JSON object, got an array' });
    expect(validateEvent(TOPICS.backupRequested, '{"payload":{}}')).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid envelope: eventId must be a UUID/) });
    const policy = createEvent(TOPICS.policyDeleted, { policyId: jobId, version: 1 });
    expect(validateEvent(TOPICS.backupRequested, JSON.stringify(policy))).toMatchObject({ ok: false, reason: 'envelope type "policy.deleted" does not match topic "backup.requested"' });
    expect(validateEvent(TOPICS.policyDeleted, JSON.stringify({ ...policy, version: 2 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/unsupported policy\.deleted version 2/) });
    expect(validateEvent('no.such.topic', '{}')).toEqual({ ok: false, reason: 'unknown topic "no.such.topic"' });
    expect(validateEvent(TOPICS.backupRequested, null)).toEqual({ ok: false, reason: 'empty message' });
    expect(validateEvent(TOPICS.backupRequested, Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty message' });
  });

  it('tolerates fields it does not know (a newer producer) by dropping them', () => {
    const event = { ...createEvent(TOPICS.policyDeleted, { policyId: jobId, version: 2 }), extra: 1 };
    (event.payload as unknown as Record<string, unknown>).addedLater = true;
    const result = validateEvent(TOPICS.policyDeleted, JSON.stringify(event));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.event.payload).toEqual({ policyId: jobId, version: 2 });
      expect(result.event).not.toHaveProperty('extra');
    }
  });
});
