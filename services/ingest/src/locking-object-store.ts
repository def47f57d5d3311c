import type { BackupObjectLock } from '@arca/contracts';
import { DeleteOptions, ObjectStore, PutOptions } from '@arca/object-store';

const DAY_MS = 86_400_000;

/**
 * One backup job's view of the primary store when its policy asks for object lock: every put
 * (packs through the data path, the pack list, the manifest) carries the lock, so the data path
 * needs no knowledge of it. Each object is locked for the policy's days from its own write.
 * Reads and deletes pass through unchanged.
 */
export class LockingObjectStore implements ObjectStore {
  constructor(private readonly inner: ObjectStore, private readonly lock: BackupObjectLock, private readonly now: () => Date = () => new Date()) {}

  put(key: string, body: Buffer, options: PutOptions = {}): Promise<void> {
    const lock = options.lock ?? { mode: this.lock.mode, retainUntil: new Date(this.now().getTime() + this.lock.retainUntilDays * DAY_MS) };
    return this.inner.put(key, body, { ...options, lock });
  }

  get(key: string): Promise<Buffer> {
    return this.inner.get(key);
  }

  getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return this.inner.getRange(key, offset, length);
  }

  stat(key: string): Promise<{ size: number } | null> {
    return this.inner.stat(key);
  }

  list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    return this.inner.list(prefix);
  }

  delete(key: string, options?: DeleteOptions): Promise<void> {
    return this.inner.delete(key, options);
  }

  lockedUntil(key: string): Promise<Date | null> {
    return this.inner.lockedUntil(key);
  }

  supportsObjectLock(): Promise<boolean> {
    return this.inner.supportsObjectLock();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  describe(): string {
    return this.inner.describe();
  }
}
