import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkId } from './hasher';
import { LocalKeyProvider, PassphraseProvider, unlockKeyFile } from './key-providers';
import {
  addSlot, createKeyFile, generationDates, KeyFile, KeyGenerationError, MasterKey, openKeyFile, parseKeyFile, rotateKeyFile, serializeKeyFile,
  tenantKey, withGenerations,
} from './keys';
import { openObject, open, resealChunk, seal, SEAL_OVERHEAD, sealedGeneration, sealObject, sealSync } from './sealer';
import { PackWriter, readPackHeader } from './pack';

const fastKdf = { N: 1024, r: 8, p: 1 };
const stored = (keyFile: KeyFile) => parseKeyFile(serializeKeyFile(keyFile), `keys/${keyFile.repositoryId}`);

async function sealed(key: MasterKey, text: string): Promise<{ id: Buffer; plain: Buffer; blob: Buffer }> {
  const plain = Buffer.from(text.repeat(50));
  const id = chunkId(key.idKey, plain);
  return { id, plain, blob: (await seal(key, id, plain)).sealed };
}

describe('key rotation', () => {
  for (const cipher of ['aes-256-gcm', 'chacha20-poly1305'] as const) {
    it(`${cipher}: seals under generation 1, rotates, seals under generation 2; both read with the rotated key`, async () => {
      const created = createKeyFile('pw', fastKdf, cipher);
      const gen1 = openKeyFile(stored(created.keyFile), 'pw');
      expect(gen1.generation).toBeUndefined();
      const one = await sealed(gen1, 'generation one ');
      // generation 1 writes the format it always wrote: no generation field, no extra byte
      expect(one.blob[0]).toBe(cipher === 'aes-256-gcm' ? 1 : 2);
      expect(sealedGeneration(one.blob)).toBe(1);
      const manifest1 = await sealObject(gen1, 'arca-manifest:a', { n: 1 });

      const rotated = stored(rotateKeyFile(stored(created.keyFile), gen1).keyFile);
      expect(rotated.generations?.map((g) => g.generation)).toEqual([2]);
      const gen2 = openKeyFile(rotated, 'pw');
      expect(gen2.generation).toBe(2);
      expect(gen2.encryptionKey.equals(gen1.encryptionKey)).toBe(false);
      // the id key is not rotated: the same content keeps its chunk id, so dedupe carries on
      expect(gen2.idKey.equals(gen1.idKey)).toBe(true);
      const two = await sealed(gen2, 'generation two ');
      expect(chunkId(gen2.idKey, one.plain).equals(one.id)).toBe(true);
      expect(sealedGeneration(two.blob)).toBe(2);
      expect(two.blob[0]).toBe(cipher === 'aes-256-gcm' ? 3 : 4);
      const sync = sealSync(gen2.encryptionKey, two.id, two.plain, {}, cipher, 2).sealed;
      expect(sealedGeneration(sync)).toBe(2);
      const manifest2 = await sealObject(gen2, 'arca-manifest:b', { n: 2 });
      expect(sealedGeneration(manifest2)).toBe(2);

      expect((await open(gen2, one.id, one.blob)).equals(one.plain)).toBe(true);
      expect((await open(gen2, two.id, two.blob)).equals(two.plain)).toBe(true);
      expect((await open(gen2, two.id, sync)).equals(two.plain)).toBe(true);
      expect(await openObject(gen2, 'arca-manifest:a', manifest1)).toEqual({ n: 1 });
      expect(await openObject(gen2, 'arca-manifest:b', manifest2)).toEqual({ n: 2 });
      // a tenant's key carries the generations too
      expect((await open(tenantKey(gen2, 'acme'), one.id, one.blob, [gen2.idKey])).equals(one.plain)).toBe(true);
    });
  }

  it('a generation the key does not hold is an error naming the object and the generation', async () => {
    const { keyFile, masterKey } = createKeyFile('pw', fastKdf);
    const gen2 = withGenerations(masterKey, rotateKeyFile(keyFile, masterKey).keyFile);
    const two = await sealed(gen2, 'new data ');
    // a worker still holding the key as it was before the rotation (a stale key file)
    await expect(open(masterKey, two.id, two.blob)).rejects.toThrow(KeyGenerationError);
    await expect(open(masterKey, two.id, two.blob)).rejects.toThrow(`chunk ${two.id.toString('hex')} is sealed under key generation 2, which the repository key does not hold (it holds generation 1)`);
    const manifest = await sealObject(gen2, 'arca-manifest:s1', { a: 1 });
    await expect(openObject(masterKey, 'arca-manifest:s1', manifest)).rejects.toThrow('arca-manifest:s1 is sealed under key generation 2');
    // a damaged generation field names the generation it claims
    const bogus = Buffer.from(two.blob);
    bogus.writeUInt16BE(9, 2);
    await expect(open(gen2, two.id, bogus)).rejects.toThrow(`chunk ${two.id.toString('hex')} is sealed under key generation 9, which the repository key does not hold (it holds generations 1, 2)`);
    const swapped = Buffer.from(two.blob);
    swapped.writeUInt16BE(1, 2);
    await expect(open(gen2, two.id, swapped)).rejects.toThrow('authentication failed under key generation 1');
  });

  it('reads objects sealed before generations existed (no generation field) with a rotated key', async () => {
    const { keyFile, masterKey } = createKeyFile('pw', fastKdf);
    // what older versions wrote: format byte 1, flags, nonce, ciphertext, tag
    const plain = randomBytes(1000);
    const id = chunkId(masterKey.idKey, plain);
    const old = (await seal(masterKey, id, plain)).sealed;
    expect(old.length).toBe(plain.length + SEAL_OVERHEAD);
    const writer = new PackWriter();
    writer.add(id, old, plain.length, false);
    const pack = await writer.finish(masterKey);
    const rotated = rotateKeyFile(rotateKeyFile(keyFile, masterKey).keyFile, masterKey).keyFile;
    const gen3 = openKeyFile(stored(rotated), 'pw');
    expect(gen3.generation).toBe(3);
    expect((await open(gen3, id, old)).equals(plain)).toBe(true);
    expect((await readPackHeader(gen3, pack.bytes)).map((e) => e.id)).toEqual([id.toString('hex')]);
  });

  it('reseals an old-generation chunk under the newest, payload as it was; a current one stays', async () => {
    const { keyFile, masterKey } = createKeyFile('pw', fastKdf);
    const one = await sealed(masterKey, 'compressible text ');
    const gen2 = withGenerations(masterKey, rotateKeyFile(keyFile, masterKey).keyFile);
    const moved = resealChunk(gen2, one.id, one.blob);
    expect(sealedGeneration(moved)).toBe(2);
    expect(moved[1]).toBe(one.blob[1]); // still compressed
    expect((await open(gen2, one.id, moved)).equals(one.plain)).toBe(true);
    expect(resealChunk(gen2, one.id, moved)).toBe(moved);
    const altered = Buffer.from(one.blob);
    altered[20] ^= 1;
    expect(() => resealChunk(gen2, one.id, altered)).toThrow(`chunk ${one.id.toString('hex')} is damaged: authentication failed under key generation 1`);
  });

  it('every slot opens every generation, a slot added after the rotation too; an altered generation is refused', async () => {
    const { keyFile, masterKey } = createKeyFile('first', fastKdf);
    const local = new LocalKeyProvider(randomBytes(32));
    const withLocal = addSlot(keyFile, await local.wrap(masterKey, 'ops', keyFile.slots));
    const gen2 = withGenerations(masterKey, rotateKeyFile(withLocal, masterKey).keyFile);
    const rotated = rotateKeyFile(withLocal, masterKey).keyFile;
    // a second rotation made from the rotated key (what the service holds) wraps under the same wrap key
    const twice = stored(rotateKeyFile(rotated, withGenerations(masterKey, rotated)).keyFile);
    // a slot added after the rotations wraps generation 1's bytes, whatever generation seals now
    const opened = await unlockKeyFile(twice, new PassphraseProvider('first'));
    const later = stored(addSlot(twice, await new PassphraseProvider('later', fastKdf).wrap(opened.masterKey, 'later', twice.slots)));
    for (const provider of [new PassphraseProvider('first'), local, new PassphraseProvider('later')]) {
      const { masterKey: key } = await unlockKeyFile(later, provider);
      expect(key.generation).toBe(3);
      expect([...key.generationKeys!.keys()]).toEqual([1, 2, 3]);
      expect(key.generationKeys!.get(1)!.equals(masterKey.encryptionKey)).toBe(true);
      expect(key.idKey.equals(masterKey.idKey)).toBe(true);
    }
    expect(generationDates(later).map((g) => g.generation)).toEqual([1, 2, 3]);
    expect(gen2.generation).toBe(2);

    const tampered: KeyFile = { ...later, generations: [later.generations![1], later.generations![0]].map((g, i) => ({ ...g, generation: i + 2 })) };
    expect(() => openKeyFile(tampered, 'first')).toThrow(`key file keys/${later.repositoryId}: key generation 2 does not authenticate under the repository key`);
    const gap = serializeKeyFile({ ...later, generations: [later.generations![1]] });
    expect(() => parseKeyFile(gap, 'keys/x')).toThrow('key file keys/x: generations[0].generation is not 2 (generations are 2, 3, ... in order) (damaged?)');
  });
});
