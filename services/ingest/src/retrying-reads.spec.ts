import { ForwardingObjectStore, ObjectStore } from '@arca/object-store';
import { describe, expect, it } from 'vitest';
import { RetryingReads } from './retrying-reads';
import { Retry, retryTransient } from './transient-retry';

/** A store of named objects whose reads fail with a transient fault while `faults` lasts. */
class FlakyStore extends ForwardingObjectStore {
  faults = 0;
  readonly objects = new Map<string, Buffer>();
  /** The listing fails after yielding this many keys, once per fault. */
  listCutAfter = Infinity;

  constructor() {
    super(undefined as unknown as ObjectStore);
  }

  private fault(): void {
    if (this.faults > 0) {
      this.faults--;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' });
    }
  }

  override async get(key: string): Promise<Buffer> {
    this.fault();
    const body = this.objects.get(key);
    if (!body) throw Object.assign(new Error(`${key}: NoSuchKey`), { code: 'NoSuchKey' });
    return body;
  }

  override async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return (await this.get(key)).subarray(offset, offset + length);
  }

  override async stat(key: string): Promise<{ size: number } | null> {
    this.fault();
    return this.objects.has(key) ? { size: this.objects.get(key)!.length } : null;
  }

  override async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    let yielded = 0;
    for (const [key, body] of this.objects) {
      if (!key.startsWith(prefix)) continue;
      if (yielded === this.listCutAfter && this.faults > 0) this.fault();
      yielded++;
      yield { key, size: body.length };
    }
  }
}

const retries: string[] = [];
const quickRetry: Retry = (what, call) => retryTransient(call, () => retries.push(what), { attempts: 8, firstDelayMs: 0, maxDelayMs: 0 }, async () => undefined);

describe('RetryingReads: a job\'s reads ride out a transient fault', () => {
  it('retries get, ranged get and stat after a transient fault, and not after an absent key', async () => {
    const inner = new FlakyStore();
    inner.objects.set('data/ab/pack1', Buffer.from('hello, pack'));
    const store = new RetryingReads(inner, quickRetry);
    inner.faults = 3;
    expect((await store.get('data/ab/pack1')).toString()).toBe('hello, pack');
    inner.faults = 2;
    expect((await store.getRange('data/ab/pack1', 7, 4)).toString()).toBe('pack');
    inner.faults = 1;
    expect(await store.stat('data/ab/pack1')).toEqual({ size: 11 });
    expect(retries.length).toBe(6);
    // Not transient: a missing object is told at once, as damage, not waited for.
    retries.length = 0;
    await expect(store.get('data/ab/gone')).rejects.toThrow(/NoSuchKey/);
    expect(retries).toEqual([]);
  });

  it('gives up after its attempts, with the last error', async () => {
    const inner = new FlakyStore();
    inner.objects.set('k', Buffer.from('x'));
    inner.faults = 100;
    await expect(new RetryingReads(inner, quickRetry).get('k')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('starts a listing cut short again and yields each key once', async () => {
    const inner = new FlakyStore();
    for (let i = 0; i < 10; i++) inner.objects.set(`data/${i}`, Buffer.alloc(i));
    inner.objects.set('other/x', Buffer.alloc(1));
    inner.listCutAfter = 4;
    inner.faults = 2; // cut twice, each time after the fourth key
    const keys: string[] = [];
    for await (const item of new RetryingReads(inner, quickRetry).list('data/')) keys.push(item.key);
    expect(keys).toEqual(Array.from({ length: 10 }, (_, i) => `data/${i}`));
  });

  it('passes writes through untouched', async () => {
    const puts: string[] = [];
    const inner = new FlakyStore();
    inner.put = async (key) => void puts.push(key);
    inner.faults = 5;
    await new RetryingReads(inner, quickRetry).put('data/new', Buffer.from('y'));
    expect(puts).toEqual(['data/new']);
    expect(inner.faults).toBe(5);
  });
});
