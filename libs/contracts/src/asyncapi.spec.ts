import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAsyncApi } from './asyncapi';
import { TOPIC_CATALOGUE } from './topics';

type Doc = {
  asyncapi: string;
  channels: Record<string, { address: string }>;
  operations: Record<string, { action: string; channel: { $ref: string } }>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
};

describe('AsyncAPI description', () => {
  const doc = buildAsyncApi() as Doc;

  it('is an AsyncAPI 3.0 document with a channel for every topic in the catalogue', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.values(doc.channels).map((c) => c.address).sort()).toEqual(Object.keys(TOPIC_CATALOGUE).sort());
  });

  it('says who sends and who receives each topic', () => {
    expect(doc.operations.ingest_publishes_backup_completed).toMatchObject({ action: 'send', channel: { $ref: '#/channels/backup_completed' } });
    expect(doc.operations.ingest_receives_backup_requested).toMatchObject({ action: 'receive', channel: { $ref: '#/channels/backup_requested' } });
  });

  it('describes payloads as the validators check them', () => {
    const requested = doc.components.schemas.BackupRequested;
    expect(requested.required).toEqual(['jobId', 'source', 'trigger']);
    expect(requested.properties).toMatchObject({
      jobId: { type: 'string', format: 'uuid' },
      trigger: { enum: ['schedule', 'manual'] },
      source: { $ref: '#/components/schemas/SourceSpec' },
      parentSnapshotId: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    });
    expect(doc.components.schemas.CheckCompleted.properties?.damaged).toEqual({ type: 'array', items: { $ref: '#/components/schemas/DamagedChunk' } });
  });

  it('is committed up to date (run `npm run asyncapi` after changing an event)', () => {
    const committed = JSON.parse(readFileSync(path.join(__dirname, '..', 'asyncapi.json'), 'utf8'));
    expect(committed, 'libs/contracts/asyncapi.json is stale: run `npm run asyncapi` and commit it').toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
