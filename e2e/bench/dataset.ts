import { mkdirSync, rmSync, writeFileSync, readFileSync, unlinkSync, existsSync, copyFileSync } from 'node:fs';
import path from 'node:path';

/** Version of the dataset layout: bump when the generator changes, so figures stay comparable. */
export const DATASET_VERSION = 1;

/** xorshift128+: deterministic bytes from a seed, fast enough for hundreds of MB. */
class Rng {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: number) {
    this.s0 = BigInt(seed) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn || 1n;
    this.s1 = (this.s0 ^ 0xdeadbeefcafebaben) & 0xffffffffffffffffn;
  }
  next(): number {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= (x << 23n) & 0xffffffffffffffffn;
    this.s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return Number((this.s1 + y) & 0xffffffffn);
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    // Fill 4 bytes per step; a 32-bit LCG seeded from the 64-bit generator keeps this fast.
    let state = this.next() | 1;
    for (let i = 0; i + 4 <= n; i += 4) {
      state = (Math.imul(state, 1664525) + 1013904223) | 0;
      out.writeInt32LE(state ^ (state >>> 15), i);
    }
    for (let i = n - (n % 4); i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

const WORDS = ('backup restore snapshot chunk policy schedule retention replica storage index packet server database table '
  + 'customer invoice order payment shipment warehouse report audit log error warning info debug request response latency').split(' ');

function textLike(rng: Rng, size: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  while (length < size) {
    const words = Array.from({ length: 6 + rng.below(10) }, () => WORDS[rng.below(WORDS.length)]);
    const line = `${new Date(1_700_000_000_000 + rng.below(1e9)).toISOString()} ${rng.below(10000)} ${words.join(' ')}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, size);
}

export interface DatasetSpec {
  incompressibleMiB: number;
  textMiB: number;
  duplicateCopies: number;
}

/** Version 1: incompressible files, text-like files, and copies of some of them (duplicates). */
export function makeVersion1(root: string, spec: DatasetSpec): void {
  rmSync(root, { recursive: true, force: true });
  const rng = new Rng(20261125);
  mkdirSync(path.join(root, 'media'), { recursive: true });
  mkdirSync(path.join(root, 'logs', 'app'), { recursive: true });
  mkdirSync(path.join(root, 'copies'), { recursive: true });
  for (let i = 0; i < spec.incompressibleMiB / 8; i++) writeFileSync(path.join(root, 'media', `video-${i}.bin`), rng.bytes(8 * 1024 * 1024));
  for (let i = 0; i < spec.textMiB / 4; i++) writeFileSync(path.join(root, 'logs', 'app', `app-${i}.log`), textLike(rng, 4 * 1024 * 1024));
  for (let i = 0; i < 200; i++) writeFileSync(path.join(root, 'logs', `small-${i}.txt`), textLike(rng, 2000 + rng.below(20000)));
  for (let i = 0; i < spec.duplicateCopies; i++) {
    copyFileSync(path.join(root, 'media', `video-${i % Math.max(1, spec.incompressibleMiB / 8)}.bin`), path.join(root, 'copies', `video-copy-${i}.bin`));
    copyFileSync(path.join(root, 'logs', 'app', `app-${i % Math.max(1, spec.textMiB / 4)}.log`), path.join(root, 'copies', `app-copy-${i}.log`));
  }
}

/** Version 2: edits in place, insertions in the middle, appends, deletions, and new files. */
export function makeVersion2(root: string): void {
  const rng = new Rng(7);
  const edit = path.join(root, 'media', 'video-0.bin');
  const data = readFileSync(edit);
  rng.bytes(4096).copy(data, 3 * 1024 * 1024);
  writeFileSync(edit, data);
  const insert = path.join(root, 'logs', 'app', 'app-1.log');
  if (existsSync(insert)) {
    const log = readFileSync(insert);
    writeFileSync(insert, Buffer.concat([log.subarray(0, 2_000_000), textLike(rng, 50_000), log.subarray(2_000_000)]));
  }
  writeFileSync(path.join(root, 'logs', 'app', 'app-0.log'), Buffer.concat([readFileSync(path.join(root, 'logs', 'app', 'app-0.log')), textLike(rng, 300_000)]));
  for (let i = 0; i < 20; i++) unlinkSync(path.join(root, 'logs', `small-${i}.txt`));
  if (existsSync(path.join(root, 'copies', 'video-copy-0.bin'))) unlinkSync(path.join(root, 'copies', 'video-copy-0.bin'));
  writeFileSync(path.join(root, 'logs', 'new-today.log'), textLike(rng, 1_000_000));
}
