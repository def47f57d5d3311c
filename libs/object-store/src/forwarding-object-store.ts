import { DeleteOptions, ObjectStore, PutOptions } from './object-store';

/**
 * An object store that hands every call to another: the base of the views that change one kind
 * of call (a job's store that locks its puts, a job's store that retries its reads) and leave
 * the rest as they are.
 */
export class ForwardingObjectStore implements ObjectStore {
  constructor(protected readonly inner: ObjectStore) {}

  put(key: string, body: Buffer, options?: PutOptions): Promise<void> {
    return this.inner.put(key, body, options);
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
