import fc from 'fast-check';
import { lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChunkSink } from './chunk-sink';
import { createManifest, decodeManifest, encodeManifest, Manifest } from './manifest';
import { encodeRaw } from './raw-path';
import { Restorer, RestoreResult } from './restorer';
import { tempDirs, testMasterKey } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';
import { inlineManifest } from './testing/snapshots';

/**
 * Hostile snapshots: listings written by someone holding the repository key (so they pass every
 * integrity check and reach the restorer) that name `..`, absolute paths, raw names that are
 * `..`, duplicate names, symlinks out of the target with entries through them, symlink loops,
 * hard links through a link, device nodes and FIFOs. A restore of any of them writes nothing
 * outside its target, creates no device node, and names the entry it refuses.
 */
const key = testMasterKey;
const temp = tempDirs('arca-hostile-');
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const meta = { mode: 0o644, mtimeNs: '1600000000000000000', uid: 0, gid: 0 };

/** A stored listing entry as a forger writes it: any name, any type, any fields. */
type Forged = Record<string, unknown> & { name: string; type: string; children?: Forged[] };

/**
 * Writes the listings (tree objects) of a forged tree into `repo`, sealed and packed as the
 * archiver writes them, and a manifest sealed under the repository key, read back as ingest
 * reads it: the restorer sees what a real snapshot would give it.
 */
async function forgedSnapshot(repo: MemoryRepository, root: Forged[], files: Record<string, Buffer> = {}): Promise<Manifest> {
  const sink = new ChunkSink(key, repo);
  const content = new Map<string, string>();
  for (const [name, data] of Object.entries(files)) content.set(name, await sink.add(data));
  const store = async (children: Forged[]): Promise<string> => {
    const entries = [];
    for (const { children: grand, ...entry } of children) {
      const chunks = entry.type === 'file' && content.has(entry.name) ? { chunks: [content.get(entry.name)!], size: files[entry.name].length } : {};
      entries.push({ ...meta, ...chunks, ...entry, ...(grand ? { tree: [await store(grand)] } : {}) });
    }
    return sink.add(Buffer.from(JSON.stringify({ v: 1, entries })));
  };
  const tree = [await store(root)];
  await sink.finish();
  const manifest = createManifest({ snapshotId: 'e'.repeat(64), source: { kind: 'directory', path: '/forged' }, root: { ...meta, path: '/', type: 'dir', mode: 0o755, tree } });
  return decodeManifest(key, manifest.snapshotId, await encodeManifest(key, manifest));
}

/** Restores, and returns what happened: the result, or the error that stopped it. */
async function restore(repo: MemoryRepository, manifest: Manifest, target: string): Promise<{ result?: RestoreResult; error?: Error }> {
  return new Restorer(key, repo).restore(manifest, target).then((result) => ({ result }), (error: Error) => ({ error }));
}

/** Everything under `dir`, as relative paths, without following links. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string, rel: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      out.push(path.join(rel, name));
      if (lstatSync(full).isDirectory()) walk(full, path.join(rel, name));
    }
  };
  walk(dir, '');
  return out.sort();
}

/** A target inside a sandbox, beside an `outside` directory holding a secret: anything the restore puts beside the target shows up in the sandbox. */
function sandbox() {
  const box = temp();
  const target = path.join(box, 'target');
  const outside = path.join(box, 'outside');
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret'), 'not yours');
  return { box, target, outside, before: tree(box) };
}

function expectNothingOutside(box: string, before: string[]) {
  expect(tree(box).filter((p) => !p.startsWith('target/') && p !== 'target'), 'entries outside the target').toEqual(before.filter((p) => p !== 'target'));
  for (const p of tree(box)) {
    const st = lstatSync(path.join(box, p));
    expect(st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO() || st.isSocket(), `${p} is a device, FIFO or socket`).toBe(false);
  }
}

describe('hostile snapshots restore nothing outside the target', () => {
  const cases: Array<{ what: string; root: (outside: string) => Forged[]; names: RegExp }> = [
    { what: 'a file named ".."', root: () => [{ name: '..', type: 'file' }], names: /"\/\.\."/ },
    { what: 'a directory named ".." holding a file', root: () => [{ name: '..', type: 'dir', children: [{ name: 'escaped', type: 'file' }] }], names: /"\/\.\."/ },
    { what: 'a name with "../"', root: () => [{ name: '../../escaped', type: 'file' }], names: /"\/\.\.\/\.\.\/escaped"/ },
    { what: 'an absolute name', root: (outside) => [{ name: path.join(outside, 'planted'), type: 'file' }], names: /planted/ },
    { what: 'a raw name that is ".."', root: () => [{ name: 'harmless', rawName: encodeRaw(Buffer.from('..')), type: 'dir', children: [{ name: 'escaped', type: 'file' }] }], names: /"\/harmless/ },
    { what: 'a symlink out of the target and a directory of the same name with a file in it', root: (outside) => [{ name: 'lnk', type: 'symlink', target: outside, mode: 0o777 }, { name: 'lnk', type: 'dir', mode: 0o755, children: [{ name: 'planted', type: 'file' }] }], names: /"\/lnk"/ },
    { what: 'a hard link through a symlink out of the target', root: (outside) => [{ name: 'lnk', type: 'symlink', target: outside, mode: 0o777 }, { name: 'h', type: 'hardlink', linkTo: '/lnk/secret' }], names: /\/lnk\/secret|\/h/ },
    { what: 'a hard link to "../"', root: () => [{ name: 'h', type: 'hardlink', linkTo: '/../outside/secret' }], names: /"\/h"|\/\.\.\/outside\/secret/ },
    { what: 'a character device', root: () => [{ name: 'null', type: 'chardev', mode: 0o20666, rdev: 259 }], names: /\/null/ },
    { what: 'a FIFO', root: () => [{ name: 'pipe', type: 'fifo', mode: 0o10644 }], names: /\/pipe/ },
  ];

  for (const { what, root, names } of cases) {
    it(`${what}: refused, naming the entry`, async () => {
      const { box, target, outside, before } = sandbox();
      const repo = new MemoryRepository();
      const manifest = await forgedSnapshot(repo, root(outside), { planted: Buffer.from('planted'), escaped: Buffer.from('escaped') });
      const { result, error } = await restore(repo, manifest, target);
      const said = error?.message ?? result!.failedFiles.map((f) => `${f.path}: ${f.reason}`).join('\n');
      expect(said, 'the restore says what it refused').toMatch(names);
      expectNothingOutside(box, before);
    });
  }

  it('a version 1 manifest (the tree inline) holding a FIFO and a device: refused, naming them, where they were skipped without a word', async () => {
    const { box, target, before } = sandbox();
    const repo = new MemoryRepository();
    const manifest = inlineManifest({ snapshotId: 'd'.repeat(64), entries: [
      { ...meta, path: '/', type: 'dir', mode: 0o755 },
      { ...meta, path: '/pipe', type: 'fifo' as 'file', mode: 0o10644 },
      { ...meta, path: '/null', type: 'chardev' as 'file', mode: 0o20666 },
    ] });
    const { result } = await restore(repo, manifest, target);
    expect(result!.failedFiles).toEqual([{ path: '/', reason: expect.stringMatching(/^directory listing unreadable, its contents are not restored: \/(null|pipe): unknown entry type "(chardev|fifo)"$/) }]);
    expectNothingOutside(box, before);
  });

  it('symlink loops and links out are created as links (they are data), and nothing is written through them', async () => {
    const { box, target, outside, before } = sandbox();
    const repo = new MemoryRepository();
    const manifest = await forgedSnapshot(repo, [
      { name: 'self', type: 'symlink', target: 'self', mode: 0o777 },
      { name: 'ping', type: 'symlink', target: 'pong', mode: 0o777 },
      { name: 'pong', type: 'symlink', target: 'ping', mode: 0o777 },
      { name: 'out', type: 'symlink', target: outside, mode: 0o777 },
      { name: 'ok.txt', type: 'file' },
    ], { 'ok.txt': Buffer.from('fine') });
    const { result, error } = await restore(repo, manifest, target);
    expect(error).toBeUndefined();
    expect(result!.failedFiles).toEqual([]);
    expect(tree(target)).toEqual(['ok.txt', 'out', 'ping', 'pong', 'self']);
    expectNothingOutside(box, before);
  });

  it('a second restore into a target the first one left a symlink out in: a directory, a file or a hard link through it is refused, naming the entry', async () => {
    const { box, target, outside, before } = sandbox();
    mkdirSync(target);
    symlinkSync(outside, path.join(target, 'lnk')); // as a snapshot with the link out left it
    symlinkSync('loop', path.join(target, 'loop'));
    for (const root of [
      [{ name: 'lnk', type: 'dir', mode: 0o755, children: [{ name: 'planted', type: 'file' }] }],
      [{ name: 'h', type: 'hardlink', linkTo: '/lnk/secret' }],
      [{ name: 'loop', type: 'dir', mode: 0o755, children: [{ name: 'planted', type: 'file' }] }],
    ] as Forged[][]) {
      const repo = new MemoryRepository();
      const manifest = await forgedSnapshot(repo, root, { planted: Buffer.from('planted') });
      const { result, error } = await restore(repo, manifest, target);
      const said = error?.message ?? result!.failedFiles.map((f) => `${f.path}: ${f.reason}`).join('\n');
      expect(said, root[0].name).toMatch(new RegExp(`"?/${root[0].name}`));
      expectNothingOutside(box, before);
      expect(readdirSync(outside)).toEqual(['secret']);
      expect(lstatSync(path.join(outside, 'secret')).nlink, 'a hard link to the file outside').toBe(1);
    }
  });

  it(`forged listings of any names, types and links (fast-check, ${RUNS} runs) write nothing outside the target and create no device`, async () => {
    const hostileName = fc.oneof(fc.constantFrom('..', '.', '', '/', '../x', '/abs', 'a/b', 'x\0y', 'lnk', 'ok', 'd'), fc.string({ minLength: 1, maxLength: 8 }));
    const leaf: fc.Arbitrary<Forged> = fc.record({
      name: hostileName,
      type: fc.constantFrom('file', 'symlink', 'hardlink', 'chardev', 'blockdev', 'fifo', 'socket'),
      mode: fc.constantFrom(0o644, 0o777, 0o20666, 0o60660, 0o10644, 0o4755),
      target: fc.constantFrom('..', '../..', '/', '/etc', 'lnk', 'x'),
      linkTo: fc.constantFrom('/lnk/secret', '/../outside/secret', '/ok', '/d/ok', '//etc/passwd'),
    });
    const dir = (children: fc.Arbitrary<Forged[]>) => fc.record({ name: hostileName, type: fc.constant('dir'), mode: fc.constant(0o755), children });
    const listing = fc.array(fc.oneof(leaf, dir(fc.array(leaf, { maxLength: 3 }))), { minLength: 1, maxLength: 5 });
    await fc.assert(fc.asyncProperty(listing, async (root) => {
      const { box, target, outside, before } = sandbox();
      const repo = new MemoryRepository();
      const withOutside = root.map((e) => (e.type === 'symlink' && e.target === 'x' ? { ...e, target: outside } : e));
      await restore(repo, await forgedSnapshot(repo, withOutside, { ok: Buffer.from('ok') }), target);
      expectNothingOutside(box, before);
      expect(readdirSync(outside)).toEqual(['secret']);
    }), { seed: SEED, numRuns: RUNS });
  });
});
