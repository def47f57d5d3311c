import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MasterKey } from './keys';
import type { SealRequest, SealResponse } from './seal-worker';
import { seal, SealedChunk, SealOptions } from './sealer';
import { asBuffer } from './thread-buffers';

interface Slot {
  worker: Worker;
  pending: number;
}

/**
 * Seals chunks on worker threads. The main thread of a backup already reads, chunks and hashes;
 * with zstd skipped for incompressible data, encryption there left the second core idle. Each
 * chunk is copied once into a buffer transferred to a worker (a memcpy, ~10 GB/s), and the sealed
 * blob is transferred back without a copy. Workers are referenced only while they have work, so
 * an idle pool never keeps a process alive. If workers cannot start, sealing stays in-thread.
 */
export class SealPool {
  private static sharedPool: SealPool | undefined;
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, { resolve: (r: SealedChunk) => void; reject: (e: Error) => void; slot: Slot }>();
  private next = 0;
  private broken: Error | undefined;

  constructor(size = Math.max(1, os.availableParallelism())) {
    for (let i = 0; i < size; i++) {
      let worker: Worker;
      try {
        worker = new Worker(path.join(__dirname, 'seal-worker.ts'), { execArgv: ['-r', '@swc-node/register'] });
      } catch (error) {
        this.broken = error as Error;
        break;
      }
      const slot: Slot = { worker, pending: 0 };
      worker.unref();
      worker.on('message', (m: SealResponse) => this.settle(slot, m));
      worker.on('error', (error) => this.fail(slot, error));
      worker.on('exit', (code) => this.fail(slot, new Error(`seal worker exited with code ${code}`)));
      this.slots.push(slot);
    }
  }

  /** One pool per process, sized to the cores. */
  static shared(): SealPool {
    return (SealPool.sharedPool ??= new SealPool());
  }

  get size(): number {
    return this.slots.length;
  }

  seal(key: MasterKey, id: Buffer, plain: Buffer, options: SealOptions = {}): Promise<SealedChunk> {
    const live = this.slots.filter((s) => s.worker.threadId >= 0);
    if (this.broken || live.length === 0) return seal(key, id, plain, options);
    const slot = live.reduce((a, b) => (b.pending < a.pending ? b : a));
    const n = this.next++;
    const data = new Uint8Array(plain.length);
    data.set(plain);
    return new Promise<SealedChunk>((resolve, reject) => {
      this.waiting.set(n, { resolve, reject, slot });
      if (slot.pending++ === 0) slot.worker.ref();
      const request: SealRequest = { n, key: key.encryptionKey, id, data, level: options.level, cipher: key.cipher, generation: key.generation };
      slot.worker.postMessage(request, [data.buffer]);
    });
  }

  private settle(slot: Slot, m: SealResponse): void {
    const waiter = this.waiting.get(m.n);
    if (!waiter) return;
    this.waiting.delete(m.n);
    if (--slot.pending === 0) slot.worker.unref();
    if ('error' in m) return waiter.reject(new Error(`sealing failed: ${m.error}`));
    const sealed = asBuffer(m.sealed);
    waiter.resolve({ parts: [sealed], length: sealed.length, compressed: m.compressed, sealed });
  }

  private fail(slot: Slot, error: Error): void {
    this.broken = error;
    for (const [n, waiter] of this.waiting) {
      if (waiter.slot !== slot) continue;
      this.waiting.delete(n);
      waiter.reject(error);
    }
    slot.pending = 0;
  }

  /** Stops the workers (tests; a process can simply exit). */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    if (SealPool.sharedPool === this) SealPool.sharedPool = undefined;
  }
}
