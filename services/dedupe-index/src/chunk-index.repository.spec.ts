import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkIndexRepository } from './chunk-index.repository';
import { ChunkLocationEntity } from './entities/chunk-location.entity';
import { PackEntity } from './entities/pack.entity';
import { ChunkIndex1764000000000 } from './migrations/1764000000000-chunk-index';

const schema = createTestSchema('chunk_index');
let dataSource: DataSource;
let index: ChunkIndexRepository;

beforeAll(async () => {
  dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema, entities: [ChunkLocationEntity, PackEntity], migrations: [ChunkIndex1764000000000],
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
    await index.recordPack({ key: 'data/aa/damaged', size: 200, chunks: [damaged, sound] });
    await index.recordPack({ key: 'data/bb/healthy', size: 100, chunks: [elsewhere] });

    const forgotten = await index.forget([
      { id: damaged.id, packKey: 'data/aa/damaged' },
      { id: elsewhere.id, packKey: 'data/aa/damaged' }, // a later backup stored it in another pack: keep that location
      { id: randomBytes(32), packKey: 'data/aa/damaged' }, // never indexed
    ]);

    expect(forgotten).toEqual([damaged.id.toString('hex')]);
    const known = await index.known([damaged.id, sound.id, elsewhere.id]);
    expect(known).toEqual(new Map([[sound.id.toString('hex'), 'data/aa/damaged'], [elsewhere.id.toString('hex'), 'data/bb/healthy']]));
    expect(await index.forget([])).toEqual([]);
  });

  it('lets the forgotten chunk be recorded again in a new pack', async () => {
    const c = chunk(0);
    await index.recordPack({ key: 'data/cc/old', size: 100, chunks: [c] });
    await index.forget([{ id: c.id, packKey: 'data/cc/old' }]);
    await index.recordPack({ key: 'data/dd/new', size: 100, chunks: [c] });
    expect((await index.locate([c.id])).map((l) => l.packKey)).toEqual(['data/dd/new']);
  });
});
