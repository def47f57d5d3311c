import { FsObjectStore, ObjectLockedError } from '@arca/object-store';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LockingObjectStore, objectLockProblem } from './locking-object-store';

const dir = mkdtempSync(path.join(os.tmpdir(), 'arca-locking-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LockingObjectStore', () => {
  it('locks every put of the job for the policy\'s days from the write, and passes everything else through', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const clock = () => now;
    const inner = new FsObjectStore(dir, { now: clock });
    const store = new LockingObjectStore(inner, { mode: 'compliance', retainUntilDays: 30 }, clock);
    await store.put('data/ab/pack', Buffer.from('pack'));
    now = new Date('2030-01-01T02:00:00Z'); // the manifest is written last, so locked from its own write
    await store.put('snapshots/s1', Buffer.from('manifest'));
    expect(await inner.lockedUntil('data/ab/pack')).toEqual(new Date('2030-01-31T00:00:00Z'));
    expect(await inner.lockedUntil('snapshots/s1')).toEqual(new Date('2030-01-31T02:00:00Z'));
    expect((await store.get('data/ab/pack')).toString()).toBe('pack');
    expect(await store.stat('snapshots/s1')).toEqual({ size: 8 });
    await expect(store.delete('data/ab/pack', { bypassGovernance: true })).rejects.toBeInstanceOf(ObjectLockedError);
    expect(store.describe()).toBe(inner.describe());
    expect(await store.supportsObjectLock()).toBe(true);
  });

  it('keeps a lock the caller gives', async () => {
    const inner = new FsObjectStore(dir);
    const store = new LockingObjectStore(inner, { mode: 'compliance', retainUntilDays: 30 });
    const retainUntil = new Date(Date.now() + 3_600_000);
    await store.put('keys/own', Buffer.from('k'), { lock: { mode: 'governance', retainUntil } });
    expect(await inner.lockedUntil('keys/own')).toEqual(retainUntil);
    await store.delete('keys/own', { bypassGovernance: true });
  });
});

describe('objectLockProblem (checked before a locked backup reads anything)', () => {
  it('names the policy and the store that cannot lock, and finds none where it can or where no lock is asked', async () => {
    // As an S3 bucket without object lock answers (the object-store spec shows s3rver does).
    const unlockable = { supportsObjectLock: async () => false, describe: () => 'S3 bucket "arca" at http://127.0.0.1:9000' };
    const policyId = '0b6c2f4e-3c1a-4d2b-9f00-1a2b3c4d5e6f';
    expect(await objectLockProblem(unlockable, { policyId, objectLock: { mode: 'compliance', retainUntilDays: 7 } })).toBe(
      `policy ${policyId} asks for compliance object lock, but S3 bucket "arca" at http://127.0.0.1:9000 does not support object lock (a bucket created without it, or s3rver); create a bucket with object lock (mc mb --with-lock) or remove objectLock from the policy`,
    );
    expect(await objectLockProblem(unlockable, { policyId })).toBeNull();
    expect(await objectLockProblem(new FsObjectStore(dir), { policyId, objectLock: { mode: 'governance', retainUntilDays: 7 } })).toBeNull();
  });
});
