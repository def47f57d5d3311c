import type { BackupObjectLock, BackupRequested } from '@arca/contracts';
import { ForwardingObjectStore, ObjectStore, PutOptions } from '@arca/object-store';

const DAY_MS = 86_400_000;

/**
 * One backup job's view of the primary store when its policy asks for object lock: every put
 * (packs through the data path, the pack list, the manifest) carries the lock, so the data path
 * needs no knowledge of it. Each object is locked for the policy's days from its own write.
 * Reads and deletes pass through unchanged.
 */
export class LockingObjectStore extends ForwardingObjectStore {
  constructor(inner: ObjectStore, private readonly lock: BackupObjectLock, private readonly now: () => Date = () => new Date()) {
    super(inner);
  }

  override put(key: string, body: Buffer, options: PutOptions = {}): Promise<void> {
    const lock = options.lock ?? { mode: this.lock.mode, retainUntil: new Date(this.now().getTime() + this.lock.retainUntilDays * DAY_MS) };
    return this.inner.put(key, body, { ...options, lock });
  }
}

/** Why a job's store cannot keep the lock its request asks for, or null when it can (or none is asked). */
export async function objectLockProblem(store: Pick<ObjectStore, 'supportsObjectLock' | 'describe'>, request: Pick<BackupRequested, 'policyId' | 'objectLock'>): Promise<string | null> {
  if (!request.objectLock || (await store.supportsObjectLock())) return null;
  return `policy ${request.policyId ?? '(none)'} asks for ${request.objectLock.mode} object lock, but ${store.describe()} does not support object lock `
    + '(a bucket created without it, or s3rver); create a bucket with object lock (mc mb --with-lock) or remove objectLock from the policy';
}
