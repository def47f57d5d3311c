import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventJsonSchema, eventSchemas } from './event-schemas';
import { schemaCompatibilityProblems, snapshotCompatibilityProblems } from './schema-compatibility';
import { TOPIC_CATALOGUE } from './topics';

type Schema = Record<string, unknown>;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const committed = (): Record<string, Schema> => JSON.parse(readFileSync(path.join(__dirname, '..', 'event-schemas.json'), 'utf8'));

describe('versioned event schemas', () => {
  it('no event schema changed incompatibly within its version (a breaking change is a new version: docs/events.md)', () => {
    expect(snapshotCompatibilityProblems(committed(), eventSchemas())).toEqual([]);
  });

  it('the committed snapshot is up to date (run `npm run asyncapi` after an additive change)', () => {
    expect(committed(), 'libs/contracts/event-schemas.json is stale: run `npm run asyncapi` and commit it').toEqual(clone(eventSchemas()));
  });

  it('has one schema per topic, self-contained, with the version fixed', () => {
    expect(Object.keys(eventSchemas()).sort()).toEqual(Object.keys(TOPIC_CATALOGUE).map((t) => `${t}@v1`).sort());
    const completed = eventJsonSchema('backup.completed') as { $id: string; properties: Record<string, Schema>; $defs: Record<string, Schema> };
    expect(completed.$id).toBe('urn:arca:event:backup.completed:v1');
    expect(completed.properties.version).toEqual({ const: 1 });
    expect(completed.properties.payload).toEqual({ $ref: '#/$defs/BackupCompleted' });
    expect(Object.keys(completed.$defs)).toEqual(expect.arrayContaining(['BackupCompleted', 'BackupStats', 'SourceSpec', 'FailedFile']));
    expect(JSON.stringify(completed)).not.toContain('#/components/');
  });
});

describe('schema compatibility within a version', () => {
  const base = (): Schema => clone(eventJsonSchema('backup.completed'));
  const defs = (s: Schema) => s.$defs as Record<string, { properties: Record<string, Schema>; required: string[]; additionalProperties?: boolean }>;

  it('accepts the same schema, a new optional field, a removed enum value and a tightened bound', () => {
    const next = base();
    defs(next).BackupCompleted.properties.note = { type: 'string' };
    expect(schemaCompatibilityProblems(base(), next)).toEqual([]);
    const failed = clone(eventJsonSchema('backup.failed'));
    const narrowed = clone(failed);
    (defs(narrowed).BackupFailed.properties.stage as { enum: string[] }).enum.pop();
    (defs(narrowed).BackupFailed.properties.reason as { maxLength: number }).maxLength = 100;
    expect(schemaCompatibilityProblems(failed, narrowed)).toEqual([]);
  });

  it('refuses a removed field, in a referenced class too', () => {
    const next = base();
    delete defs(next).BackupStats.properties.bytesRead;
    expect(schemaCompatibilityProblems(base(), next)).toEqual(['payload.stats.bytesRead: removed']);
  });

  it('refuses a changed type, a field made nullable, a newly required field', () => {
    const next = base();
    defs(next).BackupStats.properties.files = { type: 'string' };
    defs(next).BackupCompleted.properties.errors = { type: ['integer', 'null'], minimum: 0 };
    defs(next).BackupCompleted.required.push('policyId');
    expect(schemaCompatibilityProblems(base(), next).sort()).toEqual([
      'payload.errors: type changed from integer to integer|null',
      'payload.policyId: newly required',
      'payload.stats.files: minimum loosened from 0 to none',
      'payload.stats.files: type changed from integer to string',
    ]);
  });

  it('refuses enum values added, a changed pattern, a loosened bound, a refused extra field, a changed item type', () => {
    const failed = clone(eventJsonSchema('backup.failed'));
    const next = clone(failed);
    (defs(next).BackupFailed.properties.stage as { enum: string[] }).enum.push('upload');
    (defs(next).BackupFailed.properties.reason as { maxLength: number }).maxLength = 8000;
    defs(next).SourceSpec.properties.name = { type: 'string', pattern: '^x$' };
    defs(next).SourceSpec.additionalProperties = false;
    expect(schemaCompatibilityProblems(failed, next)).toEqual(expect.arrayContaining([
      'payload.stage: enum values added: "upload"',
      'payload.reason: maxLength loosened from 4000 to 8000',
      expect.stringMatching(/^payload\.source\.name: pattern changed from/),
      'payload.source: additional properties now refused',
    ]));
    const completed = base();
    (defs(completed).FailedFile.properties.path as Schema).type = 'integer';
    expect(schemaCompatibilityProblems(base(), completed)).toContain('payload.skipped[].path: type changed from string to integer');
  });

  it('a snapshot comparison names the version and refuses a dropped version, and lets new versions and topics in', () => {
    const before = { 'backup.completed@v1': base() };
    const next = base();
    delete defs(next).BackupCompleted.properties.manifestKey;
    expect(snapshotCompatibilityProblems(before, { 'backup.completed@v1': next })).toEqual(['backup.completed@v1 payload.manifestKey: removed']);
    expect(snapshotCompatibilityProblems(before, { 'backup.completed.v2@v2': next })).toEqual(['backup.completed@v1: no longer published']);
    expect(snapshotCompatibilityProblems(before, { 'backup.completed@v1': base(), 'backup.completed.v2@v2': next })).toEqual([]);
  });
});
