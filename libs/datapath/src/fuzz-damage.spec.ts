import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Archiver } from './archiver';
import { ChunkSource } from './chunk-reader';
import { createKeyFile, MasterKey, openKeyFile, parseKeyFile, PassphraseSlot } from './keys';
import { decodeManifest, encodeManifest, Manifest } from './manifest';
import { readPackHeader } from './pack';
import { Restorer } from './restorer';
import { SMALL_CHUNKS, tempDirs, testMasterKey } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';
import { manifestOfResult } from './testing/snapshots';

/**
 * Damage fuzzing of the repository's objects: packs (chunks, tree objects, header, trailer),
 * sealed manifests and key files get truncated, bit-flipped and byte-swapped at positions
 * fast-check picks; every read of a damaged object must end in an error naming it (the pack key,
 * the snapshot of the manifest, the key file), or give exactly the original (damage it does not
 * read), never other bytes, never hang. FUZZ_SEED=N replays a run (the seed is printed);
 * FUZZ_RUNS sets the runs per property.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const READ_TIMEOUT_MS = 20_000;
const key = testMasterKey;
const temp = tempDirs('arca-fuzz-damage-');

type Damage = { kind: 'truncate'; at: number } | { kind: 'flip'; at: number; bit: number } | { kind: 'swap'; a: number; b: number; length: number };

function damaged(bytes: Buffer, d: Damage): Buffer {
  if (d.kind === 'truncate') return Buffer.from(bytes.subarray(0, d.at));
  const out = Buffer.from(bytes);
  if (d.kind === 'flip') out[d.at] ^= 1 << d.bit;
  else {
    const first = Buffer.from(bytes.subarray(d.a, d.a + d.length));
    bytes.copy(out, d.a, d.b, d.b + d.length);
    first.copy(out, d.b);
  }
  return out;
}

/** Damage to `length` bytes, its positions biased towards `hot` ranges (a header, one chunk) as well as anywhere. */
function damageOf(length: number, hot: Array<[number, number]> = []): fc.Arbitrary<Damage> {
  const anywhere = fc.integer({ min: 0, max: length - 1 });
  const position = hot.length ? fc.oneof(anywhere, fc.constantFrom(...hot).chain(([from, to]) => fc.integer({ min: from, max: Math.max(from, to - 1) }))) : anywhere;
  return fc.oneof(
    position.map((at): Damage => ({ kind: 'truncate', at })),
    fc.tuple(position, fc.integer({ min: 0, max: 7 })).map(([at, bit]): Damage => ({ kind: 'flip', at, bit })),
    fc.tuple(position, position, fc.integer({ min: 1, max: 64 }))
      .map(([a, b, n]): Damage => {
        const [x, y] = a < b ? [a, b] : [b, a];
        return { kind: 'swap', a: x, b: y, length: Math.max(1, Math.min(n, y - x, length - y)) };
      })
      .filter((d) => d.kind === 'swap' && d.a !== d.b),
  );
}

async function withinTime<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${READ_TIMEOUT_MS} ms (a hang)`)), READ_TIMEOUT_MS); });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a property with the spec's seed and runs, failing with fast-check's report (seed and path to replay). */
async function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>): Promise<void> {
  await fc.assert(fc.asyncProperty(arbitrary, predicate), { seed: SEED, numRuns: RUNS });
}

let repo: MemoryRepository;
let manifest: Manifest;
let files: Map<string, Buffer>;

beforeAll(async () => {
  console.log(`[fuzz] data path seed ${SEED}, ${RUNS} runs per property (replay with FUZZ_SEED=${SEED})`);
  const src = temp();
  files = new Map([
    ['/text.txt', Buffer.from('a line of text that compresses\n'.repeat(4000))],
    ['/random.bin', randomBytes(300_000)],
    ['/sub/small.txt', Buffer.from('small')],
    ['/sub/deeper/mid.bin', randomBytes(40_000)],
    ['/empty', Buffer.alloc(0)],
  ]);
  for (const [name, data] of files) {
    mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
    writeFileSync(path.join(src, name), data);
  }
  repo = new MemoryRepository();
  const result = await new Archiver({ key, repository: repo, chunker: SMALL_CHUNKS }).archiveDirectory(src);
  manifest = manifestOfResult(result, 'c'.repeat(64));
  expect(repo.packs.size).toBeGreaterThan(1); // file data and tree objects go to packs of their own
});

/** The repository with one pack replaced by damaged bytes, read whole or by ranges. */
function sourceWith(packKey: string, bytes: Buffer, ranged: boolean): ChunkSource {
  const read = async (k: string) => (k === packKey ? bytes : repo.readPack(k));
  return {
    locate: (ids) => repo.locate(ids),
    readPack: read,
    ...(ranged ? { readRange: async (k: string, offset: number, length: number) => (await read(k)).subarray(offset, offset + length) } : {}),
  };
}

/** Every file of the snapshot restored exactly, or reported failed (it or its directory) with a reason naming `name`. */
function expectRestoredOrNamed(target: string, failed: Array<{ path: string; reason: string }>, name: string) {
  for (const f of failed) expect(f.reason, f.path).toContain(name);
  for (const [file, data] of files) {
    const reported = failed.some((f) => f.path === file || file.startsWith(f.path === '/' ? '/' : `${f.path}/`));
    const at = path.join(target, file);
    if (reported) expect(existsSync(at) && !readFileSync(at).equals(data) ? `${file} holds other bytes` : 'ok').toBe('ok');
    else expect(readFileSync(at).equals(data), `${file} restored as it was`).toBe(true);
  }
}

describe('fuzzing the data path with damaged objects', () => {
  it(`packs: a truncated, flipped or swapped byte anywhere (chunks, tree objects, header, trailer) is an error naming the pack, never other bytes (${RUNS} runs)`, async () => {
    const packs = [...repo.packs.keys()];
    const cases = fc.constantFrom(...packs).chain((packKey) => {
      const bytes = repo.packs.get(packKey)!;
      const chunks = [...repo.index.values()].filter((at) => at.packKey === packKey).map((at): [number, number] => [at.offset, at.offset + at.length]);
      return fc.record({ packKey: fc.constant(packKey), damage: damageOf(bytes.length, [[bytes.length - 64, bytes.length], ...chunks]), ranged: fc.boolean() });
    });
    await check(cases, async ({ packKey, damage, ranged }) => {
      const bytes = damaged(repo.packs.get(packKey)!, damage);
      const header = await withinTime('reading the pack header', readPackHeader(key, bytes, packKey).then((entries) => ({ entries }), (error: Error) => ({ error })));
      if ('error' in header) expect(header.error.message).toContain(packKey);
      else expect(header.entries).toEqual(await readPackHeader(key, repo.packs.get(packKey)!, packKey)); // the damage was in chunk bytes

      const target = temp();
      const restored = await withinTime('restoring', new Restorer(key, sourceWith(packKey, bytes, ranged)).restore(manifest, target).then((result) => ({ result }), (error: Error) => ({ error })));
      if ('error' in restored) expect(restored.error.message).toContain(packKey);
      else expectRestoredOrNamed(target, restored.result.failedFiles, packKey);
      rmSync(target, { recursive: true, force: true });
    });
  }, 240_000);

  it(`manifests: any damage to a sealed manifest is an error naming its snapshot (${RUNS} runs)`, async () => {
    const sealed = await encodeManifest(key, manifest);
    await check(damageOf(sealed.length, [[0, 14], [sealed.length - 16, sealed.length]]), async (damage) => {
      const bytes = damaged(sealed, damage);
      // Swapping two equal bytes (the header's format and flags bytes are both 1) is no damage: the manifest itself comes back.
      if (bytes.equals(sealed)) expect((await decodeManifest(key, manifest.snapshotId, bytes)).snapshotId).toBe(manifest.snapshotId);
      else await expect(withinTime('decoding the manifest', decodeManifest(key, manifest.snapshotId, bytes))).rejects.toThrow(manifest.snapshotId);
    });
  });

  it(`key files: damage is an error naming the key file, or (damage to what the key does not depend on) the same key, never another one or a hang (${RUNS} runs)`, async () => {
    const { keyFile, masterKey } = createKeyFile('a passphrase', { N: 1024, r: 8, p: 1 });
    const name = `keys/${keyFile.repositoryId}`;
    const stored = Buffer.from(JSON.stringify(keyFile, null, 2)); // as ingest stores it
    const same = (k: MasterKey) => k.encryptionKey.equals(masterKey.encryptionKey) && k.idKey.equals(masterKey.idKey) && k.repositoryId === masterKey.repositoryId;
    expect(same(openKeyFile(parseKeyFile(stored, name), 'a passphrase', name))).toBe(true);
    await check(damageOf(stored.length), async (damage) => {
      const opened = await withinTime('opening the key file', Promise.resolve().then(() => openKeyFile(parseKeyFile(damaged(stored, damage), name), 'a passphrase', name)).then((k) => ({ k }), (error: Error) => ({ error })));
      if ('error' in opened) expect(opened.error.message).toContain(name);
      else expect(same(opened.k), 'a damaged key file opened to another key').toBe(true);
    });
  });
});

describe('no damage, no noise', () => {
  it('restores the fuzzed snapshot whole from the undamaged repository', async () => {
    const target = temp();
    const result = await new Restorer(key, repo).restore(manifest, target);
    expect(result.failedFiles).toEqual([]);
    expect(readdirSync(target).sort()).toEqual(['empty', 'random.bin', 'sub', 'text.txt']);
    expectRestoredOrNamed(target, [], '');
  });
});

describe('what the fuzzing found, kept as cases', () => {
  it('a chunk damaged inside a pack names the pack as well as the chunk (seed 1: a swapped byte in a tree object\'s pack)', async () => {
    const [packKey, bytes] = [...repo.packs].find(([k]) => [...repo.index.values()].some((at) => at.packKey === k && at.length < 200))!;
    const at = [...repo.index.values()].find((l) => l.packKey === packKey)!;
    const target = temp();
    const result = await new Restorer(key, sourceWith(packKey, damaged(bytes, { kind: 'flip', at: at.offset + 20, bit: 0 }), false)).restore(manifest, target);
    expect(result.failedFiles.length).toBeGreaterThan(0);
    for (const f of result.failedFiles) expect(f.reason).toMatch(new RegExp(`chunk [0-9a-f]{64} is damaged: .*\\(in pack ${packKey}\\)`));
  });

  it('a key file that is not JSON names the key file (seed 1: the first byte flipped); absurd scrypt costs are refused before any scrypt run', () => {
    const { keyFile } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
    const name = `keys/${keyFile.repositoryId}`;
    const stored = Buffer.from(JSON.stringify(keyFile, null, 2));
    expect(() => parseKeyFile(damaged(stored, { kind: 'flip', at: 0, bit: 0 }), name)).toThrow(`key file ${name} is not JSON (damaged?)`);
    const slot = keyFile.slots[0] as PassphraseSlot;
    const withSlot = (changed: Partial<PassphraseSlot>) => ({ ...keyFile, slots: [{ ...slot, ...changed }] });
    expect(() => openKeyFile(withSlot({ kdf: { ...slot.kdf, N: 2 ** 30 } }), 'pw', name)).toThrow(`key file ${name}: slots[0].kdf.N 1073741824 is not a power of two from 2^10 to 2^20 (damaged?)`);
    expect(() => openKeyFile(withSlot({ nonce: '' }), 'pw', name)).toThrow(`key file ${name}: slots[0].nonce is not 12 bytes of base64 (damaged?)`);
    expect(() => parseKeyFile(stored, `keys/${'0'.repeat(32)}`)).toThrow(`key file keys/${'0'.repeat(32)} names repository ${keyFile.repositoryId}`);
    expect(() => openKeyFile(withSlot({ wrapped: Buffer.alloc(80).toString('base64') }), 'pw', name)).toThrow(`the key file ${name} could not be unlocked`);
  });

  it('a sealed manifest whose flags byte was flipped is refused, not read past (seed 2069841921, path "9:1")', async () => {
    const sealed = await encodeManifest(key, manifest);
    await expect(decodeManifest(key, manifest.snapshotId, damaged(sealed, { kind: 'flip', at: 1, bit: 0 }))).rejects.toThrow(`arca-manifest:${manifest.snapshotId}: not an Arca sealed object (damaged header)`);
  });
});
