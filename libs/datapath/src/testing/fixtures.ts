import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { createKeyFile } from '../keys';

/** A repository key made with cheap scrypt parameters (tests only). */
export const testMasterKey = createKeyFile('pw', { N: 1024, r: 8, p: 1 }).masterKey;

/** Chunker bounds small enough that kilobyte test files span several chunks. */
export const SMALL_CHUNKS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };

/** Makes temporary directories for a spec file, all removed after its tests. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
