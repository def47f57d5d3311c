import { startS3rver } from '@arca/s3-dev';
import { Client } from 'minio';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { objectStoreConfigFromEnv } from './config';
import { FsObjectStore, LOCKS_DIR } from './fs-object-store';
import { deletableNow, ObjectLock, ObjectLockedError, ObjectLockUnsupportedError } from './object-store';
import { objectLockHeaders, S3ObjectStore } from './s3-object-store';

const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), name));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;
const inDays = (days: number, from = Date.now()) => new Date(from + days * DAY);

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface FakeObject {
  body: Buffer;
  versionId: string;
  lock?: { mode: string; until: string };
}

const errorXml = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><RequestId>1</RequestId></Error>`;

/**
 * Just enough of S3 for the driver, over real HTTP, so the test sees the bytes the minio client
 * puts on the wire: bucket HEAD/PUT, GetObjectLockConfiguration, object PUT/HEAD/DELETE and
 * GetObjectRetention, answered from the lock headers the PUTs carried.
 */
class FakeS3 {
  readonly requests: Recorded[] = [];
  readonly objects = new Map<string, FakeObject>();
  bucketExists = true;
  bucketLock: 'Enabled' | 'absent' = 'Enabled';
  private server?: Server;
  private versions = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (part: Buffer) => parts.push(part));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const record = { method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body: Buffer.concat(parts) };
        this.requests.push(record);
        const { status, headers, body } = this.answer(record);
        res.writeHead(status, { 'content-type': 'application/xml', ...headers });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }

  /** The requests after bucket set-up, as "METHOD path?query". */
  objectRequests(): string[] {
    return this.requests.filter((r) => r.path.split('/').length > 2).map((r) => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`);
  }

  private answer(r: Recorded): { status: number; headers?: Record<string, string>; body?: string } {
    const [, bucket, ...rest] = r.path.split('/');
    const key = rest.join('/');
    if (!key) {
      if (r.method === 'HEAD') return { status: this.bucketExists ? 200 : 404 };
      if (r.method === 'PUT') {
        this.bucketExists = true;
        return { status: 200 };
      }
      if (r.method === 'GET' && r.query.has('object-lock')) {
        if (this.bucketLock === 'absent') return { status: 404, body: errorXml('ObjectLockConfigurationNotFoundError') };
        return { status: 200, body: '<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>' };
      }
      return { status: 501, body: errorXml('NotImplemented') };
    }
    const object = this.objects.get(`${bucket}/${key}`);
    switch (r.method) {
      case 'PUT': {
        const mode = r.headers['x-amz-object-lock-mode'] as string | undefined;
        const until = r.headers['x-amz-object-lock-retain-until-date'] as string | undefined;
        const versionId = `v${++this.versions}`;
        this.objects.set(`${bucket}/${key}`, { body: r.body, versionId, ...(mode && until ? { lock: { mode, until } } : {}) });
        return { status: 200, headers: { etag: '"e"', 'x-amz-version-id': versionId } };
      }
      case 'HEAD':
        if (!object) return { status: 404 };
        return { status: 200, headers: { 'content-length': String(object.body.length), etag: '"e"', 'last-modified': new Date().toUTCString(), 'x-amz-version-id': object.versionId } };
      case 'GET':
        if (r.query.has('retention')) {
          if (!object) return { status: 404, body: errorXml('NoSuchKey') };
          if (!object.lock) return { status: 404, body: errorXml('NoSuchObjectLockConfiguration') };
          return { status: 200, body: `<?xml version="1.0" encoding="UTF-8"?><Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>${object.lock.mode}</Mode><RetainUntilDate>${object.lock.until}</RetainUntilDate></Retention>` };
        }
        return { status: 501, body: errorXml('NotImplemented') };
      case 'DELETE':
        this.objects.delete(`${bucket}/${key}`);
        return { status: 204 };
      default:
        return { status: 501, body: errorXml('NotImplemented') };
    }
  }
}

describe('S3 driver object lock, against a fake S3 over HTTP (the real minio client)', () => {
  let fake: FakeS3;
  let endpoint: string;
  const store = (objectLock?: boolean) => new S3ObjectStore({ endpoint, accessKey: 'k', secretKey: 's', bucket: 'locked', region: 'us-east-1', ...(objectLock ? { objectLock } : {}) });

  beforeEach(async () => {
    fake = new FakeS3();
    endpoint = await fake.start();
  });
  afterEach(() => fake.close());

  it('sends the lock as the standard headers on the one PUT of the object, with Content-MD5', async () => {
    const retainUntil = new Date('2031-02-03T04:05:06.789Z');
    const body = Buffer.from('pack bytes');
    await store().put('data/ab/pack', body, { lock: { mode: 'compliance', retainUntil } });
    const puts = fake.requests.filter((r) => r.method === 'PUT' && r.path === '/locked/data/ab/pack');
    expect(puts).toHaveLength(1);
    const [put] = puts;
    const lockHeaders = Object.fromEntries(Object.entries(put.headers).filter(([name]) => name.startsWith('x-amz-object-lock') || name.startsWith('x-amz-meta')));
    expect(lockHeaders).toEqual({ 'x-amz-object-lock-mode': 'COMPLIANCE', 'x-amz-object-lock-retain-until-date': '2031-02-03T04:05:06.789Z' });
    expect(put.headers['content-md5']).toBe(createHash('md5').update(body).digest('base64'));
    expect(put.body.equals(body)).toBe(true);
    // Nothing else touched the object: no separate PutObjectRetention that could fail after the PUT.
    expect(fake.objectRequests()).toEqual(['PUT /locked/data/ab/pack']);
  });

  it('needs its own request: the minio client turns lock headers given to putObject into user metadata', async () => {
    // Why the driver does not pass the headers through putObject's metadata argument.
    const client = new Client({ endPoint: '127.0.0.1', port: Number(new URL(endpoint).port), useSSL: false, accessKey: 'k', secretKey: 's', region: 'us-east-1', pathStyle: true });
    await client.putObject('locked', 'meta/try', Buffer.from('x'), 1, objectLockHeaders({ mode: 'compliance', retainUntil: inDays(1) }));
    const put = fake.requests.find((r) => r.path === '/locked/meta/try')!;
    expect(put.headers['x-amz-object-lock-mode']).toBeUndefined();
    expect(put.headers['x-amz-meta-x-amz-object-lock-mode']).toBe('COMPLIANCE');
  });

  it('sends governance mode as GOVERNANCE, and no lock header on an unlocked put', async () => {
    const s = store();
    await s.put('m/1', Buffer.from('x'), { lock: { mode: 'governance', retainUntil: inDays(3) } });
    await s.put('m/2', Buffer.from('y'));
    const [locked, plain] = fake.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/locked/m/'));
    expect(locked.headers['x-amz-object-lock-mode']).toBe('GOVERNANCE');
    expect(Object.keys(plain.headers).filter((name) => name.includes('lock'))).toEqual([]);
  });

  it('reads lockedUntil from the GetObjectRetention answer, and null for an object without retention', async () => {
    fake.objects.set('locked/data/x', { body: Buffer.from('x'), versionId: 'v0', lock: { mode: 'COMPLIANCE', until: '2030-01-02T03:04:05.000Z' } });
    fake.objects.set('locked/data/plain', { body: Buffer.from('y'), versionId: 'v1' });
    const s = store();
    expect(await s.lockedUntil('data/x')).toEqual(new Date('2030-01-02T03:04:05.000Z'));
    expect(await s.lockedUntil('data/plain')).toBeNull();
    expect(await s.lockedUntil('data/absent')).toBeNull();
    expect(fake.objectRequests()).toEqual(['GET /locked/data/x?retention=', 'GET /locked/data/plain?retention=', 'GET /locked/data/absent?retention=']);
  });

  it('refuses to delete a locked object before sending any DELETE, naming the key and the date', async () => {
    const s = store();
    const retainUntil = inDays(10);
    await s.put('data/kept', Buffer.from('k'), { lock: { mode: 'compliance', retainUntil } });
    const refused = s.delete('data/kept', { bypassGovernance: true });
    await expect(refused).rejects.toBeInstanceOf(ObjectLockedError);
    await expect(refused).rejects.toMatchObject({ key: 'data/kept', retainUntil, mode: 'compliance' });
    await expect(s.delete('data/kept')).rejects.toThrow(`object "data/kept" in S3 bucket "locked" at ${endpoint} is under compliance object lock until ${retainUntil.toISOString()}`);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(await deletableNow(s, 'data/kept', new Date())).toEqual({ deletable: false, retainUntil });
    expect(await deletableNow(s, 'data/kept', inDays(11))).toEqual({ deletable: true });
  });

  it('deletes by version id, so a lock-enabled (versioned) bucket frees the object instead of hiding it behind a delete marker', async () => {
    const s = store();
    await s.put('data/free', Buffer.from('f'));
    await s.put('data/gov', Buffer.from('g'), { lock: { mode: 'governance', retainUntil: inDays(5) } });
    await s.delete('data/free');
    await expect(s.delete('data/gov')).rejects.toBeInstanceOf(ObjectLockedError);
    await s.delete('data/gov', { bypassGovernance: true });
    const deletes = fake.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => `${r.path}?${r.query}`)).toEqual(['/locked/data/free?versionId=v1', '/locked/data/gov?versionId=v2']);
    expect(deletes[0].headers['x-amz-bypass-governance-retention']).toBeUndefined();
    expect(deletes[1].headers['x-amz-bypass-governance-retention']).toBe('true');
    expect(fake.objects.size).toBe(0);
    await s.delete('data/gov'); // gone: still not an error
  });

  it('creates the bucket with object lock when S3_OBJECT_LOCK is set', async () => {
    fake.bucketExists = false;
    await store(true).ping();
    const create = fake.requests.find((r) => r.method === 'PUT' && r.path === '/locked');
    expect(create?.headers['x-amz-bucket-object-lock-enabled']).toBe('true');
  });

  it('creates the bucket without object lock otherwise', async () => {
    fake.bucketExists = false;
    fake.bucketLock = 'absent';
    const s = store();
    await s.ping();
    expect(fake.requests.find((r) => r.method === 'PUT' && r.path === '/locked')?.headers['x-amz-bucket-object-lock-enabled']).toBeUndefined();
    expect(await s.supportsObjectLock()).toBe(false);
  });

  it('on a bucket without object lock: refuses a locked put (never stores it unprotected), and S3_OBJECT_LOCK=true fails at start', async () => {
    fake.bucketLock = 'absent';
    const s = store();
    await expect(s.put('data/p', Buffer.from('p'), { lock: { mode: 'compliance', retainUntil: inDays(1) } })).rejects.toBeInstanceOf(ObjectLockUnsupportedError);
    expect(fake.requests.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(await s.lockedUntil('data/p')).toBeNull();
    await expect(store(true).ping()).rejects.toThrow(/opening the bucket failed: S3_OBJECT_LOCK=true but the bucket has no object lock; create a bucket with object lock \(`mc mb --with-lock`\)/);
  });

  it('refuses a lock date that has passed', async () => {
    await expect(store().put('data/late', Buffer.from('l'), { lock: { mode: 'compliance', retainUntil: new Date(Date.now() - 1000) } })).rejects.toThrow(/retain-until date must lie in the future/);
  });
});

describe('s3rver', () => {
  it('has no object lock: supportsObjectLock is false and a locked put is refused', async () => {
    const s3 = await startS3rver({ port: 0, dataDir: tempDir('arca-s3rver-lock-') });
    try {
      const s = new S3ObjectStore({ endpoint: s3.endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'nolock', region: 'us-east-1' });
      expect(await s.supportsObjectLock()).toBe(false);
      await expect(s.put('data/p', Buffer.from('p'), { lock: { mode: 'governance', retainUntil: inDays(1) } })).rejects.toThrow(/does not support object lock .*s3rver/);
      expect(await s.stat('data/p')).toBeNull();
      await s.put('data/q', Buffer.from('q'));
      expect(await s.lockedUntil('data/q')).toBeNull();
      await s.delete('data/q');
      expect(await s.stat('data/q')).toBeNull();
    } finally {
      await s3.close();
    }
  });
});

describe('filesystem driver object lock', () => {
  let now: Date;
  let directory: string;
  let store: FsObjectStore;
  const lock = (mode: ObjectLock['mode'], days: number): ObjectLock => ({ mode, retainUntil: inDays(days, now.getTime()) });

  beforeEach(() => {
    now = new Date('2030-06-01T00:00:00Z');
    directory = tempDir('arca-fs-lock-');
    store = new FsObjectStore(directory, { now: () => now });
  });

  it('refuses to delete a compliance-locked object until its date, even when asked to bypass governance', async () => {
    const compliance = lock('compliance', 30);
    await store.put('data/ab/pack', Buffer.from('p'), { lock: compliance });
    expect(await store.lockedUntil('data/ab/pack')).toEqual(compliance.retainUntil);
    await expect(store.delete('data/ab/pack', { bypassGovernance: true })).rejects.toMatchObject({ name: 'ObjectLockedError', key: 'data/ab/pack', retainUntil: compliance.retainUntil });
    await expect(store.delete('data/ab/pack')).rejects.toThrow(`object "data/ab/pack" in filesystem store ${directory} is under compliance object lock until 2030-07-01T00:00:00.000Z`);
    expect(await store.stat('data/ab/pack')).toEqual({ size: 1 });
    now = inDays(31, now.getTime());
    expect(await deletableNow(store, 'data/ab/pack', now)).toEqual({ deletable: true });
    await store.delete('data/ab/pack');
    expect(await store.stat('data/ab/pack')).toBeNull();
    expect(await store.lockedUntil('data/ab/pack')).toBeNull();
  });

  it('lets governance mode be bypassed, explicitly only', async () => {
    await store.put('snapshots/s1', Buffer.from('m'), { lock: lock('governance', 7) });
    await expect(store.delete('snapshots/s1')).rejects.toBeInstanceOf(ObjectLockedError);
    await store.delete('snapshots/s1', { bypassGovernance: true });
    expect(await store.stat('snapshots/s1')).toBeNull();
  });

  it('refuses to replace a locked object with other bytes, accepts the same bytes again and keeps the stricter lock', async () => {
    const first = lock('governance', 10);
    await store.put('data/cd/pack', Buffer.from('original'), { lock: first });
    await expect(store.put('data/cd/pack', Buffer.from('tampered'))).rejects.toBeInstanceOf(ObjectLockedError);
    expect((await store.get('data/cd/pack')).toString()).toBe('original');
    // A retried put of the same pack: accepted, and a shorter lock does not shorten the first.
    await store.put('data/cd/pack', Buffer.from('original'), { lock: lock('compliance', 2) });
    expect(await store.lockedUntil('data/cd/pack')).toEqual(first.retainUntil);
    // The stricter mode won: governance bypass no longer applies.
    await expect(store.delete('data/cd/pack', { bypassGovernance: true })).rejects.toMatchObject({ mode: 'compliance' });
    now = inDays(11, now.getTime());
    await store.put('data/cd/pack', Buffer.from('replaced after the date'));
    expect(await store.lockedUntil('data/cd/pack')).toBeNull();
  });

  it('keeps lock files out of listings and out of the key space', async () => {
    await store.put('data/ef/pack', Buffer.from('p'), { lock: lock('compliance', 1) });
    await store.put('other', Buffer.from('o'));
    const keys: string[] = [];
    for await (const item of store.list('')) keys.push(item.key);
    expect(keys).toEqual(['data/ef/pack', 'other']);
    await expect(store.put(`${LOCKS_DIR}/data/ef/pack`, Buffer.from('unlock'))).rejects.toThrow(/holds the filesystem store's object locks/);
    await expect(store.delete(`${LOCKS_DIR}/data/ef/pack`)).rejects.toThrow(/holds the filesystem store's object locks/);
  });

  it('treats a damaged lock file as an error, never as unlocked', async () => {
    await store.put('data/gh/pack', Buffer.from('p'), { lock: lock('compliance', 1) });
    writeFileSync(path.join(directory, LOCKS_DIR, 'data', 'gh', 'pack'), '{"mode":"compl');
    await expect(store.delete('data/gh/pack')).rejects.toThrow(/lock file of object "data\/gh\/pack" is damaged/);
    expect(await store.stat('data/gh/pack')).toEqual({ size: 1 });
  });

  it('refuses a lock date that has passed, and reports no lock for unlocked or absent objects', async () => {
    await expect(store.put('data/late', Buffer.from('l'), { lock: lock('compliance', -1) })).rejects.toThrow(/retain-until date must lie in the future/);
    expect(await store.stat('data/late')).toBeNull();
    await store.put('data/plain', Buffer.from('x'));
    expect(await store.lockedUntil('data/plain')).toBeNull();
    expect(await store.lockedUntil('data/absent')).toBeNull();
    expect(await store.supportsObjectLock()).toBe(true);
    await store.delete('data/plain');
  });
});

describe('S3_OBJECT_LOCK', () => {
  it('is read as a boolean and nothing else', () => {
    expect(objectStoreConfigFromEnv({ S3_OBJECT_LOCK: 'true' })).toMatchObject({ s3: { objectLock: true } });
    expect(objectStoreConfigFromEnv({ S3_OBJECT_LOCK: 'false' })).not.toHaveProperty('s3.objectLock');
    expect(() => objectStoreConfigFromEnv({ REPLICA_S3_OBJECT_LOCK: 'yes' }, 'REPLICA_')).toThrow('REPLICA_S3_OBJECT_LOCK must be "true" or "false", got "yes"');
  });
});
