import { createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRepository, snapshotReferences } from './checker';
import { closeDataThreads } from './data-thread';
import { chunkId } from './hasher';
import { Cipher, CIPHERS, createKeyFile, MasterKey, openKeyFile } from './keys';
import { decodeManifest, encodeManifest } from './manifest';
import { readPackHeader } from './pack';
import { Restorer } from './restorer';
import { SealPool } from './seal-pool';
import { CorruptChunkError, open, openObject, seal, SEAL_OVERHEAD, sealedCipher, sealObject, sealSync } from './sealer';
import { SnapshotReader } from './snapshot-reader';
import { SMALL_CHUNKS, tempDirs } from './testing/fixtures';
import { MemoryRepository } from './testing/memory-repository';
import { manifestOfResult } from './testing/snapshots';
import { WorkerArchiver, WorkerRestorer } from './threaded';

const fastKdf = { N: 1024, r: 8, p: 1 };
const FORMAT: Record<Cipher, number> = { 'aes-256-gcm': 1, 'chacha20-poly1305': 2 };
const keys = Object.fromEntries(CIPHERS.map((c) => [c, createKeyFile('pw', fastKdf, c)])) as Record<Cipher, ReturnType<typeof createKeyFile>>;
const pool = new SealPool(2);
const temp = tempDirs('arca-ciphers-');
afterAll(async () => {
  await pool.close();
  await closeDataThreads();
});

/** The cipher's own decryption of a sealed blob, written out with node:crypto: proves which cipher sealed it. */
function decryptAs(cipher: Cipher, key: MasterKey, id: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv(cipher, key.encryptionKey, sealed.subarray(2, 14), { authTagLength: 16 } as never) as ReturnType<typeof createDecipheriv> & { setAAD(b: Buffer): void; setAuthTag(b: Buffer): void };
  decipher.setAAD(id);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(14, sealed.length - 16)), decipher.final()]);
}

describe.each(CIPHERS)('the %s cipher', (cipher) => {
  const { keyFile, masterKey } = keys[cipher];

  it('is recorded in the key file and comes back with the key', () => {
    expect(keyFile.cipher).toBe(cipher);
    expect(openKeyFile(JSON.parse(JSON.stringify(keyFile)), 'pw').cipher).toBe(cipher);
  });

  it('seals chunks (in-thread, synchronously and in the seal pool) naming the cipher in the first byte, no byte longer', async () => {
    for (const data of [randomBytes(200_000), Buffer.alloc(200_000, 'compress me '), Buffer.from('x')]) {
      const id = chunkId(masterKey.idKey, data);
      const blobs = [(await seal(masterKey, id, data)).sealed, sealSync(masterKey.encryptionKey, id, data, {}, cipher).sealed, (await pool.seal(masterKey, id, data)).sealed];
      for (const blob of blobs) {
        expect(blob[0]).toBe(FORMAT[cipher]);
        expect(sealedCipher(blob)).toBe(cipher);
        if (!(blob[1] & 1)) expect(blob.length).toBe(data.length + SEAL_OVERHEAD);
        expect((await open(masterKey, id, blob)).equals(data)).toBe(true);
        if (!(blob[1] & 1)) expect(decryptAs(cipher, masterKey, id, blob).equals(data)).toBe(true);
      }
    }
  }, 30_000);

  it('refuses a blob whose cipher byte was changed, or altered bytes, with the chunk named', async () => {
    const data = randomBytes(5000);
    const id = chunkId(masterKey.idKey, data);
    const blob = (await seal(masterKey, id, data)).sealed;
    const other = Buffer.from(blob);
    other[0] = FORMAT[cipher] === 1 ? 2 : 1;
    await expect(open(masterKey, id, other)).rejects.toThrow(CorruptChunkError);
    other[0] = 9;
    await expect(open(masterKey, id, other)).rejects.toThrow('unknown format version 9');
    const flipped = Buffer.from(blob);
    flipped[100] ^= 1;
    await expect(open(masterKey, id, flipped)).rejects.toThrow(`chunk ${id.toString('hex')} is damaged: authentication failed`);
  });

  it('seals objects (manifests, pack headers) under it, and refuses a changed cipher byte', async () => {
    const sealed = await sealObject(masterKey, 'arca-test', { a: 1 });
    expect(sealed[0]).toBe(FORMAT[cipher]);
    expect(await openObject(masterKey, 'arca-test', sealed)).toEqual({ a: 1 });
    sealed[0] = FORMAT[cipher] === 1 ? 2 : 1;
    await expect(openObject(masterKey, 'arca-test', sealed)).rejects.toThrow('arca-test: authentication failed');
  });

  it('backs up a directory on a data thread and restores and checks it byte for byte (every read path)', async () => {
    const src = temp();
    writeFileSync(path.join(src, 'random.bin'), randomBytes(400_000));
    writeFileSync(path.join(src, 'text.txt'), 'some text\n'.repeat(30_000));
    const repo = new MemoryRepository();
    const result = await new WorkerArchiver({ key: masterKey, repository: repo, chunker: SMALL_CHUNKS }).archiveDirectory(src);
    expect(result.errors).toEqual([]);
    for (const at of repo.index.values()) expect(repo.packs.get(at.packKey)![at.offset]).toBe(FORMAT[cipher]);
    for (const [packKey, bytes] of repo.packs) expect((await readPackHeader(masterKey, bytes, packKey)).length).toBeGreaterThan(0);
    const manifest = manifestOfResult(result, 'e'.repeat(64));
    const encoded = await encodeManifest(masterKey, manifest);
    expect(encoded[0]).toBe(FORMAT[cipher]);
    const decoded = await decodeManifest(masterKey, manifest.snapshotId, encoded);
    for (const restorer of [new Restorer(masterKey, repo), new WorkerRestorer(masterKey, repo)]) {
      const target = temp();
      expect((await restorer.restore(decoded, target)).failedFiles).toEqual([]);
      for (const name of ['random.bin', 'text.txt']) expect(readFileSync(path.join(target, name)).equals(readFileSync(path.join(src, name)))).toBe(true);
    }
    const report = await checkRepository({ key: masterKey, packs: [...repo.packs].map(([key, bytes]) => ({ key, bytes })), references: () => snapshotReferences(new SnapshotReader(masterKey, repo), decoded, () => {}) });
    expect(report.damaged).toEqual([]);
    expect(report.chunksChecked).toBeGreaterThan(2);
  }, 60_000);
});

describe('objects of both ciphers under one key', () => {
  it('each opens by the cipher its first byte names, whatever the key seals new objects with', async () => {
    const aes = keys['aes-256-gcm'].masterKey;
    const chacha: MasterKey = { ...aes, cipher: 'chacha20-poly1305' };
    const data = randomBytes(3000);
    const id = chunkId(aes.idKey, data);
    const [a, c] = [(await seal(aes, id, data)).sealed, (await seal(chacha, id, data)).sealed];
    expect([a[0], c[0]]).toEqual([1, 2]);
    expect(a.subarray(14).equals(c.subarray(14))).toBe(false);
    for (const key of [aes, chacha]) for (const blob of [a, c]) expect((await open(key, id, blob)).equals(data)).toBe(true);
  });
});
