import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { buildAsyncApi } from '../asyncapi';
import { createEvent } from '../create-event';
import { validateEvent } from '../validate-event';
import { TOPICS } from '../topics';
import { backupRatios } from './stats';

const stats = { files: 1, dirs: 1, bytesRead: 1000, bytesNew: 0, bytesStored: 900, chunks: 0, newChunks: 0, durationMs: 5, throughputBytesPerSec: 200_000 };
const completed = (s: object) => JSON.stringify(createEvent(TOPICS.backupCompleted, { jobId: '3452029c-27fd-4a19-8b5b-331ecaab9a23', snapshotId: 'a'.repeat(64), manifestKey: `snapshots/${'a'.repeat(64)}`, source: { kind: 'directory', path: '/d' }, stats: s, errors: 0 } as never));

describe('backup ratios', () => {
  it('are null when nothing new was stored, never bytesRead / 1 or 0', () => {
    expect(backupRatios({ bytesRead: 23_977_799, bytesNew: 0, bytesStored: 0 })).toEqual({ dedupeRatio: null, compressionRatio: null });
    expect(backupRatios({ bytesRead: 0, bytesNew: 0, bytesStored: 0 })).toEqual({ dedupeRatio: null, compressionRatio: null });
    expect(backupRatios({ bytesRead: 3000, bytesNew: 2000, bytesStored: 1500 })).toEqual({ dedupeRatio: 1.5, compressionRatio: 1.333 });
  });

  it('backup.completed accepts null ratios but not missing or negative ones', () => {
    expect(validateEvent(TOPICS.backupCompleted, completed({ ...stats, dedupeRatio: null, compressionRatio: null }))).toMatchObject({ ok: true });
    expect(validateEvent(TOPICS.backupCompleted, completed({ ...stats, dedupeRatio: 2, compressionRatio: 1.5 }))).toMatchObject({ ok: true });
    expect(validateEvent(TOPICS.backupCompleted, completed({ ...stats, compressionRatio: null }))).toMatchObject({ ok: false, reason: expect.stringMatching(/stats\.dedupeRatio/) });
    expect(validateEvent(TOPICS.backupCompleted, completed({ ...stats, dedupeRatio: -1, compressionRatio: null }))).toMatchObject({ ok: false, reason: expect.stringMatching(/stats\.dedupeRatio/) });
  });

  it('backup.completed lists skipped entries, at most 100', () => {
    const ok = { ...stats, dedupeRatio: null, compressionRatio: null };
    const skipped = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `/s${i}`, reason: 'not backed up' }));
    const event = (payload: object) => JSON.stringify(createEvent(TOPICS.backupCompleted, { ...JSON.parse(completed(ok)).payload, ...payload } as never));
    expect(validateEvent(TOPICS.backupCompleted, event({ errors: 150, skipped: skipped(100) }))).toMatchObject({ ok: true });
    expect(validateEvent(TOPICS.backupCompleted, event({ errors: 150, skipped: skipped(101) }))).toMatchObject({ ok: false, reason: expect.stringMatching(/skipped/) });
    expect(validateEvent(TOPICS.backupCompleted, event({ errors: 1, skipped: [{ path: 7 }] }))).toMatchObject({ ok: false, reason: expect.stringMatching(/skipped\.0\.path/) });
  });

  it('are published in the AsyncAPI as required numbers that may be null', () => {
    const schema = (buildAsyncApi() as { components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> } }).components.schemas.BackupStats;
    expect(schema.properties.dedupeRatio).toEqual({ type: ['number', 'null'], minimum: 0 });
    expect(schema.properties.compressionRatio).toEqual({ type: ['number', 'null'], minimum: 0 });
    expect(schema.required).toEqual(expect.arrayContaining(['dedupeRatio', 'compressionRatio']));
  });
});
