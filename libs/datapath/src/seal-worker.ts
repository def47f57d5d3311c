/** A seal-pool worker: seals chunks with sealSync on its own thread. Loaded by seal-pool.ts. */
import { parentPort } from 'node:worker_threads';
import type { Cipher } from './keys';
import { sealSync } from './sealer';
import { asBuffer } from './thread-buffers';

export interface SealRequest {
  n: number;
  key: Uint8Array;
  id: Uint8Array;
  data: Uint8Array;
  level?: number;
  cipher?: Cipher;
  /** The key generation `key` is (absent: 1). */
  generation?: number;
}

export type SealResponse = { n: number; sealed: Uint8Array; compressed: boolean } | { n: number; error: string };

parentPort?.on('message', (m: SealRequest) => {
  try {
    const { sealed, compressed } = sealSync(asBuffer(m.key), asBuffer(m.id), asBuffer(m.data), { level: m.level }, m.cipher, m.generation);
    const out = new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    parentPort!.postMessage({ n: m.n, sealed: out, compressed } satisfies SealResponse, [sealed.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ n: m.n, error: (error as Error).message } satisfies SealResponse);
  }
});
