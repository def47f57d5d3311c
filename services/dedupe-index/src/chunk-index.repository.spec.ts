import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkIndexRepository } from './chunk-index.repository';
import { ChunkLocationEntity } from './entities/chunk-location.entity';
import { PackEntity } from './entities/pack.entity';
import { PackStates1766000000000 } from './migrations/1766000000000-pack-states';
import { ChunkIndex1764000000000 } from './migrations/1764000000000-chunk-index';
import { ChunkTenants1768000000000 } from './migrations/1768000000000-chunk-tenants';

const schema = createTestSchema('chunk_index');
let dataSource: DataSource;
let index: ChunkIndexRepository;

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema, entities: [ChunkLocationEntity, PackEntity], migrations: [ChunkIndex1764000000000, PackStates1766000000000, ChunkTenants1768000000000],
  });
  index = new ChunkIndexRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await schema.drop();
});

const chunk = (offset: number) => ({ id: randomBytes(32), offset, length: 100, rawLength: 200 });

describe('ChunkIndexRepository.forget (check --repair)', () => {
  it('forgets a chunk only where the index still places it in the damaged pack, so it reads as new again', async () => {
    const [damaged, sound, elsewhere] = [chunk(0), chunk(100), chunk(0)];
    await index.recordPack('default', { key: 'data/aa/damaged', size: 200, chunks: [damaged, sound] });
    await index.recordPack('default', { key: 'data/bb/healthy', size: 100, chunks: [elsewhere] });

    const forgotten = await index.forget([
      { id: damaged.id, packKey: 'data/aa/damaged' },
      { id: elsewhere.id, packKey: 'data/aa/damaged' }, // a later backup stored it in another pack: keep that location
      { id: randomBytes(32), packKey: 'data/aa/damaged' }, // never indexed
    ]);

    expect(forgotten).toEqual([damaged.id.toString('hex')]);
    const known = await index.known('default', [damaged.id, sound.id, elsewhere.id]);
    expect(known).toEqual(new Map([[sound.id.toString('hex'), 'data/aa/damaged'], [elsewhere.id.toString('hex'), 'data/bb/healthy']]));
    expect(await index.forget([])).toEqual([]);
  });

  it('lets the forgotten chunk be recorded again in a new pack', async () => {
    const c = chunk(0);
    await index.recordPack('default', { key: 'data/cc/old', size: 100, chunks: [c] });
    await index.forget([{ id: c.id, packKey: 'data/cc/old' }]);
    await index.recordPack('default', { key: 'data/dd/new', size: 100, chunks: [c] });
    expect((await index.locate('default', [c.id])).map((l) => l.packKey)).toEqual(['data/dd/new']);
  });
});

const hex = (b: Buffer) => b.toString('hex');
const key = () => `data/ee/ee${randomBytes(31).toString('hex')}`;

describe('ChunkIndexRepository pack states (prune)', () => {
  it('hides a condemned pack from lookups and reuse checks, not from reads, and lets a backup store its chunks anew', async () => {
    const [a, b] = [chunk(0), chunk(100)];
    const old = key();
    await index.recordPack('default', { key: old, size: 200, chunks: [a, b] });
    expect(await index.setState([old], 'condemned', '00000000-0000-4000-8000-000000000001')).toEqual([old]);
    expect(await index.setState([old], 'condemned')).toEqual([]); // only live packs are condemned
    expect(await index.known('default', [a.id, b.id])).toEqual(new Map());
    expect(await index.locate('default', [a.id], true)).toEqual([]);
    expect((await index.locate('default', [a.id])).map((l) => l.packKey)).toEqual([old]);
    // a backup after the condemnation stores a again: its row moves to the new, live pack
    const fresh = key();
    await index.recordPack('default', { key: fresh, size: 100, chunks: [a, a] });
    expect(await index.known('default', [a.id, b.id])).toEqual(new Map([[hex(a.id), fresh]]));
    expect(await index.packsIn('condemned')).toEqual(expect.arrayContaining([{ key: old, size: 200 }]));
  });

  it('moves rows of replaced packs to a rewritten pack, keeps rows in other live packs', async () => {
    const [a, b, c] = [chunk(0), chunk(100), chunk(0)];
    const [mostlyUnused, other] = [key(), key()];
    await index.recordPack('default', { key: mostlyUnused, size: 200, chunks: [a, b] });
    await index.recordPack('default', { key: other, size: 100, chunks: [c] });
    const rewritten = key();
    await index.recordPack('default', { key: rewritten, size: 100, chunks: [{ ...a, offset: 0 }, { ...c, offset: 100 }], replaces: [mostlyUnused] });
    expect(await index.known('default', [a.id, b.id, c.id])).toEqual(new Map([[hex(a.id), rewritten], [hex(b.id), mostlyUnused], [hex(c.id), other]]));
  });

  it('sweeps a condemned pack: its rows go with the move to deleting, a rescue brings a pack back, and only deleting packs are forgotten', async () => {
    const [a, b] = [chunk(0), chunk(0)];
    const [swept, rescued] = [key(), key()];
    await index.recordPack('default', { key: swept, size: 100, chunks: [a] });
    await index.recordPack('default', { key: rescued, size: 100, chunks: [b] });
    await index.setState([swept, rescued], 'condemned');
    expect(await index.setState([rescued], 'live')).toEqual([rescued]);
    expect(await index.known('default', [b.id])).toEqual(new Map([[hex(b.id), rescued]]));
    expect(await index.setState([swept, rescued], 'deleting')).toEqual([swept]); // rescued is live again: not swept
    expect(await index.locate('default', [a.id])).toEqual([]);
    await index.forgetPacks([swept, rescued]);
    expect((await index.packsIn('deleting')).map((p) => p.key)).not.toContain(swept);
    expect((await index.known('default', [b.id])).size).toBe(1);
  });

  it('pages through every pack with its chunks, whole packs per page', async () => {
    const seen = new Map<string, number>();
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await index.page(after, 2);
      for (const c of page.chunks) seen.set(page.packs[c.pack].key, (seen.get(page.packs[c.pack].key) ?? 0) + 1);
      for (const p of page.packs) if (!seen.has(p.key)) seen.set(p.key, 0);
      after = page.next;
      pages++;
    } while (after);
    const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM ${schema.schema}.packs`);
    expect(seen.size).toBe(row.n);
    expect(pages).toBeGreaterThan(1);
  });
});

describe('ChunkIndexRepository tenants', () => {
  it("answers a tenant's lookups with its own chunks only, so nobody learns whether another tenant stores a chunk", async () => {
    const shared = chunk(0);
    const [acmePack, globexPack] = [key(), key()];
    await index.recordPack('acme', { key: acmePack, size: 100, chunks: [shared] });
    expect(await index.known('acme', [shared.id])).toEqual(new Map([[hex(shared.id), acmePack]]));
    expect(await index.known('globex', [shared.id])).toEqual(new Map());
    expect(await index.locate('globex', [shared.id])).toEqual([]);
    expect(await index.locate('globex', [shared.id], true)).toEqual([]);
    // the same id stored by another tenant is a row of its own: neither replaces the other
    await index.recordPack('globex', { key: globexPack, size: 100, chunks: [shared] });
    expect((await index.locate('acme', [shared.id])).map((l) => l.packKey)).toEqual([acmePack]);
    expect((await index.locate('globex', [shared.id])).map((l) => l.packKey)).toEqual([globexPack]);
    expect((await index.locate(undefined, [shared.id])).map((l) => l.packKey).sort()).toEqual([acmePack, globexPack].sort());
  });

  it("keeps each row's tenant when a prune's rewrite moves the chunks of several tenants into one pack", async () => {
    const [a, b] = [chunk(0), chunk(0)];
    const [acmePack, globexPack, rewritten] = [key(), key(), key()];
    await index.recordPack('acme', { key: acmePack, size: 100, chunks: [a] });
    await index.recordPack('globex', { key: globexPack, size: 100, chunks: [b] });
    await index.recordPack('default', { key: rewritten, size: 200, chunks: [{ ...a, offset: 0 }, { ...b, offset: 100 }], replaces: [acmePack, globexPack] });
    expect(await index.known('acme', [a.id, b.id])).toEqual(new Map([[hex(a.id), rewritten]]));
    expect(await index.known('globex', [a.id, b.id])).toEqual(new Map([[hex(b.id), rewritten]]));
    expect(await index.known('default', [a.id, b.id])).toEqual(new Map());
  });
});
