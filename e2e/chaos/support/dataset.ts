import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileHash, makeBigFile, makeSmallFiles } from '../../src/support/real-sizes';

export interface Dataset {
  root: string;
  bytes: number;
  files: number;
  /** SHA-256 of every regular file, by path relative to the root ('/' separated). */
  hashes: Record<string, string>;
}

/**
 * About `bytes` of seeded, incompressible data: a third in many small files (1–8 KiB, 200 to a
 * directory), the rest in two larger files (60 % and 40 % of it). The same seed makes the same bytes.
 */
export async function makeDataset(root: string, seed: string, bytes: number): Promise<Dataset> {
  const smallCount = Math.max(50, Math.floor(bytes / 3 / 4608));
  const small = makeSmallFiles(path.join(root, 'small'), seed, smallCount, 200);
  const rest = Math.max(0, bytes - small);
  await makeBigFile(path.join(root, 'large-a.bin'), `${seed}-a`, Math.floor(rest * 0.6));
  await makeBigFile(path.join(root, 'large-b.bin'), `${seed}-b`, Math.floor(rest * 0.4));
  const hashes = await hashTree(root);
  return { root, bytes: small + Math.floor(rest * 0.6) + Math.floor(rest * 0.4), files: Object.keys(hashes).length, hashes };
}

/** SHA-256 of every regular file under `root`, by relative path. */
export async function hashTree(root: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const entries = readdirSync(root, { withFileTypes: true, recursive: true }).filter((e) => e.isFile());
  for (const entry of entries) {
    const file = path.join(entry.parentPath, entry.name);
    hashes[path.relative(root, file).split(path.sep).join('/')] = await fileHash(file);
  }
  return Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => a.localeCompare(b)));
}
