import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Archiver } from './archiver';
import { chunkId } from './hasher';
import { createKeyFile } from './keys';
import { manifestOfResult } from './testing/snapshots';
import { Restorer } from './restorer';
import { SealPool } from './seal-pool';
import { open, sealSync } from './sealer';
import { MemoryRepository } from './testing/memory-repository';

const { masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
const pool = new SealPool(2);
afterAll(() => pool.close());

describe('seal pool (worker threads)', () => {
  it('seals in the same format as the main thread', async () => {
    for (const data of [randomBytes(300_000), Buffer.alloc(300_000, 'squeeze me '), Buffer.from('x')]) {
      const id = chunkId(masterKey.idKey, data);
      const sealed = await pool.seal(masterKey, id, data);
      expect(sealed.length).toBe(sealed.sealed.length);
      expect((await open(masterKey, id, sealed.sealed)).equals(data)).toBe(true);
      const direct = sealSync(masterKey.encryptionKey, id, data);
      expect(direct.compressed).toBe(sealed.compressed);
      expect((await open(masterKey, id, direct.sealed)).equals(data)).toBe(true);
    }
  }, 30_000);

  it('backs up through the pool, restorable as usual', async () => {
    const repo = new MemoryRepository();
    const data = Buffer.concat([randomBytes(2_000_000), Buffer.alloc(2_000_000, 'text ')]);
    const result = await new Archiver({ key: masterKey, repository: repo, sealPool: pool }).archiveStream('f', Readable.from([data]));
    const manifest = manifestOfResult(result, 'c'.repeat(64), { kind: 'stream', name: 'f' });
    const out: Buffer[] = [];
    const { Writable } = await import('node:stream');
    await new Restorer(masterKey, repo).restoreFileToStream(manifest, '/f', new Writable({ write(c, _e, cb) { out.push(c); cb(); } }));
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(result.stats.compressionRatio).toBeGreaterThan(1.5);
  }, 30_000);
});
