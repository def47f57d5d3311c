import { DevS3, startS3rver } from '@arca/s3-dev';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore, objectStoreConfigFromEnv } from './config';
import { ObjectNotFoundError, ObjectStore } from './object-store';
import { MAX_SINGLE_PUT } from './s3-object-store';

const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), name));
  dirs.push(dir);
  return dir;
};
let s3: DevS3;

beforeAll(async () => {
  s3 = await startS3rver({ port: 0, dataDir: tempDir('arca-s3rver-') });
});

afterAll(async () => {
  await s3.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const drivers: Array<[string, () => ObjectStore]> = [
  ['filesystem', () => createObjectStore({ driver: 'fs', directory: tempDir('arca-objects-') })],
  ['s3 (s3rver over HTTP)', () => createObjectStore(objectStoreConfigFromEnv({ S3_ENDPOINT: s3.endpoint, S3_BUCKET: `test-${randomBytes(3).toString('hex')}` }))],
];

describe.each(drivers)('%s object store', (_name, make) => {
  it('puts, gets, reads ranges, stats, lists and deletes', async () => {
    const store = make();
    await store.ping();
    const body = randomBytes(200_000);
    await store.put('data/ab/pack1', body);
    await store.put('data/cd/pack2', Buffer.from('second'));
    await store.put('snapshots/s1', Buffer.from('{}'));
    expect((await store.get('data/ab/pack1')).equals(body)).toBe(true);
    expect((await store.getRange('data/ab/pack1', 1000, 500)).equals(body.subarray(1000, 1500))).toBe(true);
    expect(await store.stat('data/ab/pack1')).toEqual({ size: 200_000 });
    expect(await store.stat('data/missing')).toBeNull();
    const listed: string[] = [];
    for await (const item of store.list('data/')) listed.push(item.key);
    expect(listed.sort()).toEqual(['data/ab/pack1', 'data/cd/pack2']);
    await store.delete('data/cd/pack2');
    expect(await store.stat('data/cd/pack2')).toBeNull();
  });

  it('names the missing key', async () => {
    const store = make();
    await expect(store.get('snapshots/none')).rejects.toThrow(ObjectNotFoundError);
    await expect(store.get('snapshots/none')).rejects.toThrow(/object "snapshots\/none" not found/);
    await expect(store.getRange('snapshots/none', 0, 10)).rejects.toThrow(ObjectNotFoundError);
    await expect(store.getRange('snapshots/none', 0, 0)).rejects.toThrow(ObjectNotFoundError);
    // Deleting what is not there is not an error: replays stay idempotent.
    await store.delete('snapshots/none');
  });

  it('reads ranges at and past the end of an object', async () => {
    const store = make();
    await store.put('r/obj', Buffer.from('0123456789'));
    expect((await store.getRange('r/obj', 0, 10)).toString()).toBe('0123456789');
    expect((await store.getRange('r/obj', 7, 10)).toString()).toBe('789');
    expect((await store.getRange('r/obj', 10, 5)).length).toBe(0);
    expect((await store.getRange('r/obj', 50, 5)).length).toBe(0);
    expect((await store.getRange('r/obj', 3, 0)).length).toBe(0);
    await expect(store.getRange('r/obj', -1, 5)).rejects.toThrow(/invalid range of object "r\/obj"/);
    await expect(store.getRange('r/obj', 0, 1.5)).rejects.toThrow(RangeError);
  });

  it('replaces an object on a second put, and lists by any prefix', async () => {
    const store = make();
    await store.put('p/a/1', Buffer.from('old'));
    await store.put('p/a/1', Buffer.from('newer'));
    await store.put('p/ab', Buffer.from('x'));
    await store.put('q/1', Buffer.alloc(0));
    expect((await store.get('p/a/1')).toString()).toBe('newer');
    expect(await store.stat('q/1')).toEqual({ size: 0 });
    const list = async (prefix: string) => {
      const items: Array<{ key: string; size: number }> = [];
      for await (const item of store.list(prefix)) items.push(item);
      return items.sort((a, b) => a.key.localeCompare(b.key));
    };
    expect(await list('p/a')).toEqual([{ key: 'p/a/1', size: 5 }, { key: 'p/ab', size: 1 }]);
    expect(await list('p/a/')).toEqual([{ key: 'p/a/1', size: 5 }]);
    expect((await list('')).map((i) => i.key)).toEqual(['p/a/1', 'p/ab', 'q/1']);
    expect(await list('nothing/')).toEqual([]);
  });

  it('refuses keys that could escape the store', async () => {
    const store = make();
    await expect(store.put('../etc/passwd', Buffer.from('x'))).rejects.toThrow(/invalid object key/);
    await expect(store.put('/abs', Buffer.from('x'))).rejects.toThrow(/invalid object key/);
  });
});

describe('filesystem atomicity', () => {
  it('leaves no temporary file visible after a put', async () => {
    const directory = tempDir('arca-atomic-');
    const store = createObjectStore({ driver: 'fs', directory });
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.put('data/x/obj', Buffer.alloc(10_000, i))));
    expect(readdirSync(path.join(directory, 'data', 'x'))).toEqual(['obj']);
    expect((await store.get('data/x/obj')).length).toBe(10_000);
  });

  it('never shows a reader half an object while puts replace it', async () => {
    const store = createObjectStore({ driver: 'fs', directory: tempDir('arca-atomic-') });
    const size = 4 * 1024 * 1024;
    await store.put('data/y/obj', Buffer.alloc(size, 0));
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 8; i++) await store.put('data/y/obj', Buffer.alloc(size, i));
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const body = await store.get('data/y/obj');
      expect(body.length).toBe(size);
      // One put's bytes throughout: never a mix of two versions, never a truncated one.
      expect(body[size - 1]).toBe(body[0]);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
  });

  it('hides the temporary file of an interrupted put from listings and refuses keys that look like one', async () => {
    const directory = tempDir('arca-atomic-');
    const store = createObjectStore({ driver: 'fs', directory });
    await store.put('data/z/kept', Buffer.from('whole'));
    // What a crash between write and rename leaves behind.
    writeFileSync(path.join(directory, 'data', 'z', 'lost.0a1b2c3d4e5f.partial'), 'half');
    const keys: string[] = [];
    for await (const item of store.list('data/')) keys.push(item.key);
    expect(keys).toEqual(['data/z/kept']);
    await expect(store.put('data/z/x.partial', Buffer.from('x'))).rejects.toThrow(/may not end with ".partial"/);
  });
});

describe('s3 driver limits and failures', () => {
  it('refuses an object of 64 MiB or more before sending anything', async () => {
    const store = createObjectStore(objectStoreConfigFromEnv({ S3_ENDPOINT: s3.endpoint, S3_BUCKET: 'big-refused' }));
    await expect(store.put('packs/huge', Buffer.alloc(MAX_SINGLE_PUT + 1))).rejects.toThrow(/is 67108864 bytes; S3 bucket "big-refused" .* takes objects under 64 MiB/);
    expect(await store.stat('packs/huge')).toBeNull();
  });

  it('names the endpoint it cannot reach', async () => {
    const store = createObjectStore(objectStoreConfigFromEnv({ S3_ENDPOINT: 'http://127.0.0.1:1' }));
    await expect(store.ping()).rejects.toThrow(/S3 bucket "arca" at http:\/\/127\.0\.0\.1:1: opening the bucket failed: .*ECONNREFUSED/);
  });

  it('answers ping only while the server is up', async () => {
    const other = await startS3rver({ port: 0, dataDir: tempDir('arca-s3rver-ping-') });
    const store = createObjectStore(objectStoreConfigFromEnv({ S3_ENDPOINT: other.endpoint }));
    await store.ping();
    await other.close();
    await expect(store.ping()).rejects.toThrow(/ping failed/);
  });
});

describe('objectStoreConfigFromEnv', () => {
  it('explains a bad endpoint', () => {
    expect(() => objectStoreConfigFromEnv({ S3_ENDPOINT: 'minio:9000' })).toThrow('S3_ENDPOINT is not a URL: "minio:9000" (expected http://host:port)');
    expect(() => objectStoreConfigFromEnv({ REPLICA_S3_ENDPOINT: 'nope' }, 'REPLICA_')).toThrow(/REPLICA_S3_ENDPOINT is not a URL/);
    expect(() => objectStoreConfigFromEnv({ OBJECT_STORE: 'tape' })).toThrow(/OBJECT_STORE must be "s3" or "fs"/);
  });

  it('reads the primary and the replica site with their defaults', () => {
    expect(objectStoreConfigFromEnv({})).toEqual({
      driver: 's3',
      s3: { endpoint: 'http://127.0.0.1:9000', accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'arca', region: 'us-east-1' },
    });
    expect(objectStoreConfigFromEnv({ REPLICA_S3_ENDPOINT: 'https://minio.b:9000/', REPLICA_S3_ACCESS_KEY: 'k', REPLICA_S3_SECRET_KEY: 's', REPLICA_S3_REGION: 'eu-west-1', S3_BUCKET: 'ignored' }, 'REPLICA_')).toEqual({
      driver: 's3',
      s3: { endpoint: 'https://minio.b:9000', accessKey: 'k', secretKey: 's', bucket: 'arca-replica', region: 'eu-west-1' },
    });
    expect(objectStoreConfigFromEnv({ OBJECT_STORE: 'fs', OBJECT_STORE_DIR: '/srv/objects' })).toEqual({ driver: 'fs', directory: '/srv/objects' });
  });
});
