import { DevS3, startS3rver } from '@arca/s3-dev';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore, objectStoreConfigFromEnv } from './config';
import { ObjectNotFoundError, ObjectStore } from './object-store';

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
});

describe('objectStoreConfigFromEnv', () => {
  it('explains a bad endpoint', () => {
    expect(() => objectStoreConfigFromEnv({ S3_ENDPOINT: 'minio:9000' })).toThrow('S3_ENDPOINT is not a URL: "minio:9000" (expected http://host:port)');
    expect(() => objectStoreConfigFromEnv({ REPLICA_S3_ENDPOINT: 'nope' }, 'REPLICA_')).toThrow(/REPLICA_S3_ENDPOINT is not a URL/);
    expect(() => objectStoreConfigFromEnv({ OBJECT_STORE: 'tape' })).toThrow(/OBJECT_STORE must be "s3" or "fs"/);
  });
});
