import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Deterministic test data at the sizes users have, from a seed: the same seed makes the same
 * bytes on every machine, so a failure can be replayed. The bytes are an AES-256-CTR keystream
 * under a key derived from the seed: incompressible, and produced at about a gigabyte a second.
 */
export class SeededBytes {
  private readonly cipher;

  constructor(seed: string) {
    const key = createHash('sha256').update(`arca-test-data:${seed}`).digest();
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  next(length: number): Buffer {
    return this.cipher.update(Buffer.alloc(length));
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + (this.next(4).readUInt32BE(0) % (max - min + 1));
  }
}

/** `count` files of 1-8 KiB in directories of `perDirectory` files each. Returns the bytes written. */
export function makeSmallFiles(root: string, seed: string, count: number, perDirectory = 1000): number {
  const bytes = new SeededBytes(seed);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `dir-${String(Math.floor(i / perDirectory)).padStart(3, '0')}`);
    if (i % perDirectory === 0) mkdirSync(dir, { recursive: true });
    const size = bytes.int(1024, 8192);
    writeFileSync(path.join(dir, `file-${String(i).padStart(6, '0')}.bin`), bytes.next(size));
    total += size;
  }
  return total;
}

/** One directory holding `count` small files (16-64 bytes each). */
export function makeWideDirectory(dir: string, seed: string, count: number): void {
  const bytes = new SeededBytes(seed);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(path.join(dir, `entry-${String(i).padStart(6, '0')}`), bytes.next(bytes.int(16, 64)));
}

/** A chain of `depth` nested directories with a file at the bottom; returns the bottom directory's path relative to `root`. */
export function makeDeepPath(root: string, depth: number): string {
  const relative = Array.from({ length: depth }, (_, i) => `d${String(i).padStart(3, '0')}`).join('/');
  mkdirSync(path.join(root, relative), { recursive: true });
  writeFileSync(path.join(root, relative, 'bottom.txt'), `at depth ${depth}\n`);
  return relative;
}

/** Names of 255 bytes (the Linux limit), in ASCII and in three-byte UTF-8, nested. Returns the names. */
export function makeLongNames(root: string): { ascii: string; utf8: string } {
  const ascii = 'a'.repeat(250) + '.long';
  const utf8 = '日'.repeat(85); // 85 × 3 bytes
  mkdirSync(path.join(root, ascii, utf8), { recursive: true });
  writeFileSync(path.join(root, ascii, utf8, ascii), 'long names\n');
  writeFileSync(path.join(root, utf8), 'three-byte characters\n');
  return { ascii, utf8 };
}

/** One file of `size` seeded bytes, written in 8 MiB pieces (never held whole). */
export async function makeBigFile(file: string, seed: string, size: number): Promise<void> {
  const bytes = new SeededBytes(seed);
  const piece = 8 * 1024 * 1024;
  async function* pieces() {
    for (let written = 0; written < size; written += piece) yield bytes.next(Math.min(piece, size - written));
  }
  await pipeline(pieces(), createWriteStream(file));
}

/** SHA-256 of a file, streamed. */
export async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }), hash);
  return hash.digest('hex');
}

/** Peak resident memory of a process (VmHWM), in bytes; undefined where /proc does not tell. */
export function peakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
