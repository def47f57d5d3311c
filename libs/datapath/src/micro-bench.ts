/**
 * Speeds of the data path's stages on this machine (not a test):
 *   node -r @swc-node/register libs/datapath/src/micro-bench.ts [MiB, default 256]
 * Each stage alone, then the whole in-memory pipeline (archiver → MemoryRepository → restorer).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Archiver } from './archiver';
import { chunkBuffer, Chunker } from './chunker';
import { chunkId } from './hasher';
import { createKeyFile } from './keys';
import { createManifest } from './manifest';
import { Restorer } from './restorer';
import { open, seal } from './sealer';
import { MemoryRepository } from './testing/memory-repository';

/** Log-like text from a 2,000-word vocabulary (compresses ~3-4x with zstd, like real logs or dumps; no long repeats to dedupe). */
function pseudoText(size: number): Buffer {
  const words = Array.from({ length: 2000 }, (_, i) => Buffer.from(`${(i * 2654435761 >>> 0).toString(36).slice(0, 3 + (i % 7))} `));
  const out = Buffer.allocUnsafe(size);
  let x = 0x12345678;
  let at = 0;
  while (at < size) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const w = words[(x >>> 0) % 2000];
    at += w.copy(out, at);
    if ((x & 15) === 0 && at < size) out[at++] = 10;
  }
  return out;
}

export async function microBench(mib = 256): Promise<void> {
  const size = mib * 1024 * 1024;
  const { masterKey } = createKeyFile('bench', { N: 1024, r: 8, p: 1 });
  const random = randomBytes(size);
  const text = pseudoText(size);
  const mbps = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
  const time = async <T>(fn: () => T | Promise<T>): Promise<[T, number]> => {
    const t = performance.now();
    const value = await fn();
    return [value, performance.now() - t];
  };
  console.log(`node ${process.version}, ${os.cpus().length} cores, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}, ${mib} MiB per test`);

  const [chunks, whole] = await time(() => chunkBuffer(random));
  console.log(`chunker, one buffer: ${mbps(size, whole)} (${chunks.length} chunks, mean ${(size / chunks.length / 1024).toFixed(0)} KiB)`);
  for (const piece of [64 * 1024, 4 * 1024 * 1024]) {
    const [, ms] = await time(() => {
      const c = new Chunker();
      for (let i = 0; i < size; i += piece) c.push(random.subarray(i, i + piece));
      c.finish();
    });
    console.log(`chunker, ${piece / 1024} KiB pushes: ${mbps(size, ms)}`);
  }
  const [, hmac] = await time(() => { for (const c of chunks) chunkId(masterKey.idKey, c); });
  console.log(`hasher (HMAC-SHA-256): ${mbps(size, hmac)}`);

  for (const [name, data] of [['random', random], ['text', text]] as const) {
    const parts = chunkBuffer(data);
    const ids = parts.map((c) => chunkId(masterKey.idKey, c));
    const sealed: Buffer[] = [];
    const [, sealMs] = await time(async () => {
      for (let i = 0; i < parts.length; i += 8) {
        const batch = await Promise.all(parts.slice(i, i + 8).map((c, j) => seal(masterKey, ids[i + j], c)));
        sealed.push(...batch.map((s) => s.sealed));
      }
    });
    const out = sealed.reduce((n, s) => n + s.length, 0);
    const [, openMs] = await time(async () => {
      for (let i = 0; i < sealed.length; i += 8) await Promise.all(sealed.slice(i, i + 8).map((s, j) => open(masterKey, ids[i + j], s)));
    });
    console.log(`sealer, ${name}: seal ${mbps(size, sealMs)}, open+verify ${mbps(size, openMs)}, ratio ${(size / out).toFixed(2)}`);
  }

  for (const [name, data] of [['random', random], ['text', text]] as const) {
    const repo = new MemoryRepository();
    const pieces: Buffer[] = [];
    for (let i = 0; i < size; i += 1024 * 1024) pieces.push(data.subarray(i, i + 1024 * 1024));
    const [result, backupMs] = await time(() => new Archiver({ key: masterKey, repository: repo }).archiveStream('bench', Readable.from(pieces)));
    const manifest = createManifest({ snapshotId: '0'.repeat(64), source: { kind: 'stream', name: 'bench' }, root: result.root });
    const sink = new Writable({ write(_c, _e, cb) { cb(); } });
    const [, restoreMs] = await time(() => new Restorer(masterKey, repo).restoreFileToStream(manifest, '/bench', sink));
    const target = mkdtempSync(path.join(os.tmpdir(), 'arca-bench-'));
    const [, diskMs] = await time(() => new Restorer(masterKey, repo).restore(manifest, target));
    rmSync(target, { recursive: true, force: true });
    console.log(`pipeline, ${name}: backup ${mbps(size, backupMs)} (stored ${(result.stats.bytesStored / 1e6).toFixed(1)} MB), restore to stream ${mbps(size, restoreMs)}, restore to disk ${mbps(size, diskMs)}`);
  }
}

if (require.main === module) void microBench(Number(process.argv[2]) || 256);
