import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { Manifest, PackEntry } from '@arca/datapath';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestJobEntity } from './entities/ingest-job.entity';
import { SnapshotEntity } from './entities/snapshot.entity';
import { INGEST_MIGRATIONS } from './migrations';
import { inBatches, RECOVER_ID_BATCH, RECOVER_PAGE, RecoverStaging } from './recover-staging';

describe('inBatches', () => {
  it('splits a stream into arrays of at most the size, the last one shorter, none empty', async () => {
    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const batch of inBatches(Array.from({ length: 2_500 }, (_, i) => i), 1_000)) {
      sizes.push(batch.length);
      seen.push(...batch);
    }
    expect(sizes).toEqual([1_000, 1_000, 500]);
    expect(seen).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
    const none: number[][] = [];
    for await (const batch of inBatches([], 10)) none.push(batch);
    expect(none).toEqual([]);
    await expect(inBatches([1], 0).next()).rejects.toThrow(/at least 1, got 0/);
  });
});

const schema = createTestSchema('recover_staging');
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await createServiceDataSource({ url: testDatabaseUrl(), schema: schema.schema, entities: [IngestJobEntity, SnapshotEntity], migrations: INGEST_MIGRATIONS });
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
});

const hex = (n: number) => n.toString(16).padStart(64, '0');
const entry = (n: number, offset: number): PackEntry => ({ id: hex(n), offset, length: 100 + n, rawLength: 1000 + n, compressed: n % 2 === 0 });
const manifest = (i: number): Manifest => ({
  version: 2, snapshotId: hex(10_000 + i), time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), hostname: 'h', source: { kind: 'directory', path: `/src/${i}` } as Manifest['source'],
  root: { path: '/', type: 'dir', tree: [hex(i)] } as unknown as Manifest['root'], tenant: i % 2 ? 'acme' : 'default',
});

describe('a recovery staged in Postgres', () => {
  it('places a chunk in the first pack staged, keeps the first tenant a walk names, and gives each pack back in order with its entries and their tenants', async () => {
    const staging = new RecoverStaging(dataSource, schema.schema, randomUUID());
    const other = new RecoverStaging(dataSource, schema.schema, randomUUID());
    // Chunk 2 is in both packs (a crash's second copy): the first pack staged places it.
    await staging.addPack(0, { key: 'data/aa/first', size: 5000, entries: [entry(1, 0), entry(2, 101), entry(3, 203)] });
    await staging.addPack(1, { key: 'data/bb/second', size: 4000, entries: [entry(2, 0), entry(4, 102)] });
    await staging.addPack(2, { key: 'data/cc/empty', size: 64, entries: [] });
    await other.addPack(0, { key: 'data/dd/elsewhere', size: 10, entries: [entry(1, 7)] }); // another job's rows do not mix in

    const located = await staging.chunkSource({ get: async () => Buffer.alloc(0), getRange: async () => Buffer.alloc(0) }).locate([hex(1), hex(2), hex(4), hex(99)]);
    expect(Object.fromEntries(located)).toEqual({
      [hex(1)]: { packKey: 'data/aa/first', offset: 0, length: 101 },
      [hex(2)]: { packKey: 'data/aa/first', offset: 101, length: 102 },
      [hex(4)]: { packKey: 'data/bb/second', offset: 102, length: 104 },
    });

    await staging.markTenant([hex(1), hex(2)], 'acme');
    await staging.markTenant([hex(2), hex(4)], 'default'); // chunk 2 stays acme's: the first walk named it
    const packs = [];
    for await (const p of staging.packs()) packs.push({ seq: p.seq, key: p.pack.key, size: p.pack.size, entries: p.pack.entries, tenants: Object.fromEntries(p.chunkTenant) });
    expect(packs).toEqual([
      { seq: 0, key: 'data/aa/first', size: 5000, entries: [entry(1, 0), entry(2, 101), entry(3, 203)], tenants: { [hex(1)]: 'acme', [hex(2)]: 'acme' } },
      { seq: 1, key: 'data/bb/second', size: 4000, entries: [entry(2, 0), entry(4, 102)], tenants: { [hex(2)]: 'acme', [hex(4)]: 'default' } },
      { seq: 2, key: 'data/cc/empty', size: 64, entries: [], tenants: {} },
    ]);

    await staging.setPackOutcome(0, { tenant: 'acme', chunkCount: 3, rawBytes: 3006 });
    await staging.setPackOutcome(2, { tenant: 'default', chunkCount: 0, rawBytes: 0 });
    const outcomes = [];
    for await (const o of staging.packOutcomes()) outcomes.push(o);
    expect(outcomes).toEqual([
      { key: 'data/aa/first', size: 5000, tenant: 'acme', chunkCount: 3, rawBytes: 3006 },
      { key: 'data/cc/empty', size: 64, tenant: 'default', chunkCount: 0, rawBytes: 0 },
    ]);

    // Clearing removes this job's rows only.
    await staging.clear();
    expect((await staging.locate([hex(1)])).size).toBe(0);
    expect(Object.fromEntries(await other.locate([hex(1)]))).toEqual({ [hex(1)]: { packKey: 'data/dd/elsewhere', offset: 7, length: 101 } });
    await other.clear();
  });

  it('locates more ids than one batch holds', async () => {
    const staging = new RecoverStaging(dataSource, schema.schema, randomUUID());
    const entries = Array.from({ length: RECOVER_ID_BATCH + 300 }, (_, i) => entry(i, i * 10));
    await staging.addPack(0, { key: 'data/ee/many', size: 1e6, entries });
    const located = await staging.locate(entries.map((e) => e.id));
    expect(located.size).toBe(entries.length);
    expect(located.get(hex(RECOVER_ID_BATCH + 299))).toEqual({ packKey: 'data/ee/many', offset: (RECOVER_ID_BATCH + 299) * 10, length: 100 + RECOVER_ID_BATCH + 299 });
    await staging.clear();
  });

  it('gives the manifests back in the order staged, with their sizes, states and pack counts, across pages', async () => {
    const staging = new RecoverStaging(dataSource, schema.schema, randomUUID());
    const count = RECOVER_PAGE * 2 + 17;
    const state = { snapshotId: hex(10_003), forgottenAt: null, forgottenReason: null, heldAt: '2026-01-02T00:00:00.000Z', heldBy: 'admin', holdReason: 'case 4711' };
    for (let i = 0; i < count; i++) await staging.addManifest(i, { manifest: manifest(i), size: 300 + i, state: i === 3 ? state : null, packCount: i % 5 });
    const back = [];
    for await (const m of staging.manifests()) back.push(m);
    expect(back).toHaveLength(count);
    expect(back.map((m) => m.manifest.snapshotId)).toEqual(Array.from({ length: count }, (_, i) => hex(10_000 + i)));
    expect(back[3]).toEqual({ manifest: manifest(3), size: 303, state, packCount: 3 });
    expect(back[count - 1]).toEqual({ manifest: manifest(count - 1), size: 300 + count - 1, state: null, packCount: (count - 1) % 5 });
    await staging.clear();
    for await (const m of staging.manifests()) throw new Error(`cleared, yet ${m.manifest.snapshotId} is staged`);
  });

  it('refuses a schema name it would have to quote', () => {
    expect(() => new RecoverStaging(dataSource, 'x"; DROP TABLE y; --', randomUUID())).toThrow(/invalid schema name/);
  });
});
