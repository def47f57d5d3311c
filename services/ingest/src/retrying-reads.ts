import { ForwardingObjectStore, ObjectStore } from '@arca/object-store';
import { Retry } from './transient-retry';

/**
 * An object store whose reads (get, ranged get, stat, list) are run through a job's `retry`: reads
 * are idempotent, so a restore or a check rides out an outage of S3 instead of failing, or, worse
 * for a check, taking a pack it could not read for damaged. Writes and deletes pass through as
 * they are: a backup retries its own PUTs (ServiceChunkRepository), and a prune's deletes are
 * ordered steps of its own that it resumes after a failure.
 */
export class RetryingReads extends ForwardingObjectStore {
  constructor(inner: ObjectStore, private readonly retry: Retry) {
    super(inner);
  }

  override get(key: string): Promise<Buffer> {
    return this.retry(`reading ${key}`, () => this.inner.get(key));
  }

  override getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return this.retry(`reading ${key} at ${offset}`, () => this.inner.getRange(key, offset, length));
  }

  override stat(key: string): Promise<{ size: number } | null> {
    return this.retry(`looking up ${key}`, () => this.inner.stat(key));
  }

  /**
   * A listing cut short by a fault is started again, and what it had already yielded is skipped,
   * so the caller sees each key once, whatever order the store lists in. (The keys seen are held:
   * a few tens of bytes each, some MB for a repository of 100,000 packs.)
   */
  override async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    const seen = new Set<string>();
    let iterator: AsyncIterator<{ key: string; size: number }> | undefined;
    for (;;) {
      const next = await this.retry(`listing ${prefix}`, async () => {
        try {
          iterator ??= this.inner.list(prefix)[Symbol.asyncIterator]();
          for (;;) {
            const item = await iterator.next();
            if (item.done || !seen.has(item.value.key)) return item;
          }
        } catch (error) {
          iterator = undefined; // the next attempt lists from the start again
          throw error;
        }
      });
      if (next.done) return;
      seen.add(next.value.key);
      yield next.value;
    }
  }
}
