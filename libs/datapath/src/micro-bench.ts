/**
 * Speeds of the data path's stages on this machine (not a test): node -r @swc-node/register libs/datapath/src/micro-bench.ts
 */
import { randomBytes } from 'node:crypto';
import { chunkBuffer } from './chunker';
import { chunkId } from './hasher';
import { createKeyFile } from './keys';
import { seal } from './sealer';

async function main() {
  const { masterKey } = createKeyFile('bench', { N: 1024, r: 8, p: 1 });
  const random = randomBytes(256 * 1024 * 1024);
  const text = Buffer.from('The quick brown fox jumps over the lazy dog. 0123456789\n'.repeat(256 * 1024 * 1024 / 56));
  const mbps = (bytes: number, ms: number) => `${((bytes / 1e6) / (ms / 1000)).toFixed(0)} MB/s`;
  let t = performance.now();
  const chunks = chunkBuffer(random);
  console.log(`chunker: ${mbps(random.length, performance.now() - t)} (${chunks.length} chunks, avg ${(random.length / chunks.length / 1024).toFixed(0)} KiB)`);
  t = performance.now();
  for (const c of chunks) chunkId(masterKey.idKey, c);
  console.log(`HMAC-SHA-256: ${mbps(random.length, performance.now() - t)}`);
  for (const [name, data] of [['random', random], ['text', text]] as const) {
    const parts = chunkBuffer(data);
    t = performance.now();
    let out = 0;
    for (let i = 0; i < parts.length; i += 8) {
      const sealed = await Promise.all(parts.slice(i, i + 8).map((c) => seal(masterKey, chunkId(masterKey.idKey, c), c)));
      out += sealed.reduce((n, s) => n + s.length, 0);
    }
    console.log(`seal (zstd 3 + AES-GCM, 8 in parallel), ${name}: ${mbps(data.length, performance.now() - t)}, ratio ${(data.length / out).toFixed(2)}`);
  }
}

void main();
