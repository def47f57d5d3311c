/**
 * A restore onto a disk that fills up (the chaos suite's seed 495138406): a write that runs out
 * of space stores what fits and returns a short count; only the next write fails with ENOSPC; a
 * failed file removed frees its space again. The disk here is a byte budget over the real files
 * (node:fs/promises' open and rm, wrapped), so the moment it fills is the same on every run.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Archiver } from './archiver';
import { TreeEntry } from './manifest';
import { Restorer } from './restorer';
import { SMALL_CHUNKS, tempDirs, testMasterKey } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';
import { entriesOf, treeManifest } from './testing/snapshots';

/** The fake disk: bytes free, and what each file written through it holds. */
const disk = { free: Infinity, used: new Map<string, number>() };

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof fs.open>): Promise<FileHandle> => {
    const handle = await fs.open(...args);
    const file = String(args[0]);
    const write = async (data: Uint8Array, offset = 0, length = data.length - offset) => {
      if (disk.free <= 0) throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
      const fits = Math.min(length, disk.free); // a short write: what fits, no error yet
      const done = await handle.write(data, offset, fits);
      disk.free -= done.bytesWritten;
      disk.used.set(file, (disk.used.get(file) ?? 0) + done.bytesWritten);
      return done;
    };
    return new Proxy(handle, {
      get: (target, key) => {
        if (key === 'write') return write;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  const rm = async (...args: Parameters<typeof fs.rm>) => {
    const file = String(args[0]);
    disk.free += disk.used.get(file) ?? 0;
    disk.used.delete(file);
    return fs.rm(...args);
  };
  return { ...fs, default: { ...fs, open, rm }, open, rm };
});

const temp = tempDirs('arca-full-disk-');
const meta = { mode: 0o644, mtimeNs: '1600000000000000000', uid: 0, gid: 0 };

/** A snapshot of `sizes` files (/f0.bin, /f1.bin, …) of random bytes. */
async function snapshot(sizes: number[]) {
  const repo = new MemoryRepository();
  const contents = new Map<string, Buffer>();
  const entries: TreeEntry[] = [{ ...meta, path: '/', type: 'dir', mode: 0o755 }];
  for (const [i, size] of sizes.entries()) {
    const data = randomBytes(size);
    const r = await new Archiver({ key: testMasterKey, repository: repo, chunker: SMALL_CHUNKS }).archiveStream(`f${i}.bin`, Readable.from([data]));
    entries.push({ ...(await entriesOf(testMasterKey, repo, r))[1], ...meta, path: `/f${i}.bin` });
    contents.set(`/f${i}.bin`, data);
  }
  const manifest = await treeManifest(testMasterKey, repo, { snapshotId: 'c'.repeat(64), source: { kind: 'directory', path: '/x' }, entries });
  return { repo, manifest, contents };
}

/** Every file not reported failed holds its bytes exactly; every failed one names ENOSPC and is gone. */
function expectNothingReportedThatIsNot(target: string, contents: Map<string, Buffer>, failed: Array<{ path: string; reason: string }>) {
  const failedPaths = new Set(failed.map((f) => f.path));
  for (const f of failed) expect(f.reason, f.path).toMatch(/ENOSPC/);
  for (const [file, data] of contents) {
    const at = path.join(target, file);
    if (failedPaths.has(file)) expect(existsSync(at), `${file} failed but is left behind`).toBe(false);
    else expect(readFileSync(at).equals(data), `${file} reported restored with other bytes`).toBe(true);
  }
}

beforeEach(() => {
  disk.free = Infinity;
  disk.used.clear();
});

describe('restorer onto a full disk', () => {
  it('a file whose last write stores only part of it is reported failed with ENOSPC, not restored', async () => {
    const { repo, manifest, contents } = await snapshot([300_000]);
    disk.free = 300_000 - 1; // the last chunk's write is one byte short
    const target = temp();
    const result = await new Restorer(testMasterKey, repo).restore(manifest, target);
    expect(result.failedFiles.map((f) => f.path)).toEqual(['/f0.bin']);
    expect(result).toMatchObject({ files: 0, bytesWritten: 0 });
    expectNothingReportedThatIsNot(target, contents, result.failedFiles);
  });

  it('files written side by side: a short write is completed once a failed file frees its space, or the file fails; each failure is named', async () => {
    const sizes = [400_000, 350_000, 500_000, 120_000, 450_000, 300_000, 80_000, 260_000];
    const { repo, manifest, contents } = await snapshot(sizes);
    disk.free = Math.round(sizes.reduce((a, b) => a + b) * 0.45);
    const target = temp();
    const result = await new Restorer(testMasterKey, repo).restore(manifest, target);
    expect(result.failedFiles.length).toBeGreaterThan(0);
    expect(result.files).toBeGreaterThan(0);
    expect(result.files + result.failedFiles.length).toBe(sizes.length);
    expectNothingReportedThatIsNot(target, contents, result.failedFiles);
    expect(result.bytesWritten).toBe([...contents].filter(([f]) => !result.failedFiles.some((x) => x.path === f)).reduce((n, [, d]) => n + d.length, 0));
  });
});
