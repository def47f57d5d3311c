import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Archiver } from './archiver';
import { checkRepository, snapshotReferences } from './checker';
import { createKeyFile } from './keys';
import { decodeManifest, encodeManifest } from './manifest';
import { PathEscapeError, Restorer, safeTargetPath } from './restorer';
import { SnapshotReader } from './snapshot-reader';
import { makeEdgeCaseTree } from './testing/edge-case-tree';
import { MemoryRepository } from './testing/memory-repository';
import { entriesOf, inlineManifest, manifestOfResult } from './testing/snapshots';

const { masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
const dirs: string[] = [];
const temp = (name: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), `arca-${name}-`));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Every entry's type, mode, mtime (ns), size/target: what `diff -r` does not compare. Names as raw bytes. */
function describeTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: Buffer, rel: string) => {
    for (const name of readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare)) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const st = lstatSync(full);
      const key = `${rel}/${name.toString('hex')}`;
      if (st.isSymbolicLink()) out[key] = `link ${readlinkSync(full, { encoding: 'buffer' }).toString('hex')} ${lstatSync(full, { bigint: true }).mtimeNs}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${(st.mode & 0o7777).toString(8)} ${lstatSync(full, { bigint: true }).mtimeNs}`;
        walk(full, key);
      } else out[key] = `file ${(st.mode & 0o7777).toString(8)} ${lstatSync(full, { bigint: true }).mtimeNs} ${st.size} nlink=${st.nlink}`;
    }
  };
  walk(Buffer.from(root), '');
  return out;
}

describe('backup and restore round trip', () => {
  it('restores a tree with every edge case byte for byte, with modes, mtimes, symlinks and hard links', async () => {
    const source = temp('src');
    await makeEdgeCaseTree(source);
    const repo = new MemoryRepository();
    const result = await new Archiver({ key: masterKey, repository: repo }).archiveDirectory(source);
    expect(result.errors).toEqual([]);
    // Non-UTF-8 names: readable and unique paths, exact bytes in rawPath (and rawTarget).
    const byPath = new Map((await entriesOf(masterKey, repo, result)).map((e) => [e.path, e]));
    expect(byPath.get('/caf\\xE9')).toMatchObject({ type: 'file' });
    expect(byPath.get('/caf\\xE9')!.rawPath).toBeUndefined();
    expect(byPath.get('/caf\\xE9~2')).toMatchObject({ type: 'dir', rawPath: Buffer.from('/caf\xe9', 'latin1').toString('base64') });
    expect(byPath.get('/caf\\xE9~2/hardlink-\\xE0')).toMatchObject({ type: 'file', rawPath: Buffer.from('/caf\xe9/hardlink-\xe0', 'latin1').toString('base64') });
    expect(byPath.get('/caf\\xE9~2/r\\xE9sum\\xE9.txt')).toMatchObject({ type: 'hardlink', linkTo: '/caf\\xE9~2/hardlink-\\xE0', rawPath: Buffer.from('/caf\xe9/r\xe9sum\xe9.txt', 'latin1').toString('base64') });
    expect(byPath.get('/link-to-latin1')).toMatchObject({ target: 'caf\\xE9/r\\xE9sum\\xE9.txt', rawTarget: Buffer.from('caf\xe9/r\xe9sum\xe9.txt', 'latin1').toString('base64') });
    const manifest = manifestOfResult(result, 'a'.repeat(64));
    const decoded = await decodeManifest(masterKey, manifest.snapshotId, await encodeManifest(masterKey, manifest));

    const target = temp('restore');
    const restored = await new Restorer(masterKey, repo).restore(decoded, target);
    expect(restored.failedFiles).toEqual([]);
    execFileSync('diff', ['-r', '--no-dereference', source, target]);
    expect(describeTree(target)).toEqual(describeTree(source));
  });

  it('stores under 1% on a second backup of an unchanged tree, reading no file again', async () => {
    const source = temp('src');
    await makeEdgeCaseTree(source);
    const repo = new MemoryRepository();
    const first = await new Archiver({ key: masterKey, repository: repo }).archiveDirectory(source);
    const parent = manifestOfResult(first, 'b'.repeat(64));
    const second = await new Archiver({ key: masterKey, repository: repo, parent }).archiveDirectory(source);
    expect(second.stats.bytesStored).toBeLessThan(first.stats.bytesStored * 0.01);
    expect(second.stats.newChunks).toBe(0);
    expect(second.stats.chunks).toBe(0); // unchanged files are not read, so nothing is even chunked
    // Without the parent, every file is read again, but deduplication still stores nothing.
    const third = await new Archiver({ key: masterKey, repository: repo }).archiveDirectory(source);
    expect(third.stats.bytesNew).toBe(0);
    expect(third.stats.bytesRead).toBe(first.stats.bytesRead);
  });

  it('backs up a byte stream', async () => {
    const repo = new MemoryRepository();
    const data = Buffer.alloc(3_000_000, 'stream data ');
    const result = await new Archiver({ key: masterKey, repository: repo }).archiveStream('db.dump', Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
    const manifest = manifestOfResult(result, 'c'.repeat(64));
    const chunks: Buffer[] = [];
    const sink = new (await import('node:stream')).Writable({ write(chunk, _e, cb) { chunks.push(chunk); cb(); } });
    await new Restorer(masterKey, repo).restoreFileToStream(manifest, '/db.dump', sink);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('finds a flipped byte in a pack, names the chunk, snapshot and file, and restores every other file', async () => {
    const source = temp('src');
    writeFileSync(path.join(source, 'victim.bin'), Buffer.alloc(200_000, 'victim'));
    writeFileSync(path.join(source, 'survivor.txt'), 'survivor');
    const repo = new MemoryRepository();
    const result = await new Archiver({ key: masterKey, repository: repo }).archiveDirectory(source);
    const manifest = manifestOfResult(result, 'd'.repeat(64));
    const victimChunk = (await entriesOf(masterKey, repo, result)).find((e) => e.path === '/victim.bin')!.chunks![0];
    const where = repo.index.get(victimChunk)!;
    repo.packs.get(where.packKey)![where.offset + 20] ^= 0xff;

    const report = await checkRepository({ key: masterKey, packKeys: [...repo.packs.keys()], readPack: (k) => repo.readPack(k), references: () => snapshotReferences(new SnapshotReader(masterKey, repo), manifest, () => undefined) });
    expect(report.damaged).toEqual([expect.objectContaining({ chunkId: victimChunk, packKey: where.packKey, snapshots: [manifest.snapshotId], files: ['/victim.bin'] })]);
    expect(report.damaged[0].reason).toMatch(/authentication failed/);

    const target = temp('restore');
    const restored = await new Restorer(masterKey, repo).restore(manifest, target);
    expect(restored.failedFiles).toEqual([{ path: '/victim.bin', reason: expect.stringMatching(new RegExp(`chunk ${victimChunk} is damaged`)) }]);
    expect(readFileSync(path.join(target, 'survivor.txt'), 'utf8')).toBe('survivor');
  });

  it('restores one non-UTF-8 path chosen by its readable form', async () => {
    const source = temp('src');
    await makeEdgeCaseTree(source);
    const repo = new MemoryRepository();
    const result = await new Archiver({ key: masterKey, repository: repo }).archiveDirectory(source);
    const target = temp('restore');
    const restored = await new Restorer(masterKey, repo).restore(manifestOfResult(result, '9'.repeat(64)), target, { paths: ['/caf\\xE9~2/r\\xE9sum\\xE9.txt'] });
    expect(restored).toMatchObject({ files: 1, failedFiles: [] });
    const file = Buffer.concat([Buffer.from(target), Buffer.from('/caf\xe9/r\xe9sum\xe9.txt', 'latin1')]);
    expect(readFileSync(file, 'utf8')).toBe('latin-1 names');
    expect(readdirSync(target, { encoding: 'buffer' })).toEqual([Buffer.from('caf\xe9', 'latin1')]);
  });

  it('refuses raw paths that would escape the target, whatever their readable form', () => {
    const target = temp('restore');
    const raw = (p: string) => Buffer.from(p, 'latin1').toString('base64');
    for (const evil of ['/../escape', '/a/../../escape', '/a//b', 'relative', '/a\0b', '/']) {
      expect(() => safeTargetPath(target, '/harmless', raw(evil))).toThrow(PathEscapeError);
    }
    expect(safeTargetPath(target, '/caf\\xE9', raw('/caf\xe9'))).toEqual(Buffer.concat([Buffer.from(target), Buffer.from('/caf\xe9', 'latin1')]));
    expect(safeTargetPath(target, '/plain')).toBe(path.join(target, 'plain')); // manifests without rawPath, as before
  });

  it('refuses entries that would escape the target, before writing anything', async () => {
    const target = temp('restore');
    const repo = new MemoryRepository();
    for (const evil of ['/../escape', '/a/../../escape', '/a//b', '/a/./b']) {
      expect(() => safeTargetPath(target, evil)).toThrow(PathEscapeError);
    }
    const manifest = inlineManifest({ snapshotId: 'e'.repeat(64), entries: [
      { path: '/', type: 'dir', mode: 0o755, mtimeNs: '0', uid: 0, gid: 0 },
      { path: '/ok.txt', type: 'file', mode: 0o644, mtimeNs: '0', uid: 0, gid: 0, size: 0, chunks: [] },
      { path: '/../../etc/evil', type: 'file', mode: 0o644, mtimeNs: '0', uid: 0, gid: 0, size: 0, chunks: [] },
    ] });
    await expect(new Restorer(masterKey, repo).restore(manifest, target)).rejects.toThrow(/refusing to restore "\/\.\.\/\.\.\/etc\/evil"/);
    expect(readdirSync(target)).toEqual([]);
  });

  it('refuses to write through a symlink that points outside the target', async () => {
    const target = temp('restore');
    const outside = temp('outside');
    const repo = new MemoryRepository();
    // A snapshot holding a directory symlink and a file "inside" it: restoring in any order
    // must not create the file through the link.
    const manifest = inlineManifest({ snapshotId: 'f'.repeat(64), entries: [
      { path: '/', type: 'dir', mode: 0o755, mtimeNs: '0', uid: 0, gid: 0 },
      { path: '/sneaky', type: 'symlink', target: outside, mode: 0o777, mtimeNs: '0', uid: 0, gid: 0 },
      { path: '/sneaky/payload', type: 'file', mode: 0o644, mtimeNs: '0', uid: 0, gid: 0, size: 0, chunks: [] },
    ] });
    const restoring = new Restorer(masterKey, repo).restore(manifest, target);
    await restoring.catch(() => undefined);
    expect(readdirSync(outside)).toEqual([]);
  });
});
