import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkId } from './hasher';
import { createKeyFile } from './keys';
import { CorruptChunkError, open, openObject, seal, SEAL_OVERHEAD, sealObject } from './sealer';

const fastKdf = { N: 1024, r: 8, p: 1 };

describe('sealing chunks', () => {
  const { masterKey } = createKeyFile('pw', fastKdf);

  it('round-trips compressible and incompressible data, compressing only what shrinks', async () => {
    const cases: Array<[Buffer, boolean]> = [
      [Buffer.alloc(100_000, 'abc'), true],
      [randomBytes(100_000), false],
      [randomBytes(3 * 1024 * 1024), false], // sampled: skips the full compression
      [Buffer.concat([randomBytes(1024 * 1024), Buffer.alloc(1024 * 1024, 'text ')]), true], // random head, text tail
      [Buffer.concat([randomBytes(400_000), Buffer.alloc(400_000, 'text '), randomBytes(400_000)]), true], // text in the middle
      [Buffer.alloc(0), false],
      [Buffer.from('x'), false],
    ];
    for (const [data, shouldCompress] of cases) {
      const id = chunkId(masterKey.idKey, data);
      const sealed = await seal(masterKey, id, data);
      expect(sealed.compressed).toBe(shouldCompress);
      const blob = sealed.sealed;
      expect(blob.length).toBe(sealed.length);
      expect(blob[0]).toBe(1); // format version
      expect(blob[1] & 1).toBe(shouldCompress ? 1 : 0); // flags: zstd
      if (!shouldCompress) expect(blob.length).toBe(data.length + SEAL_OVERHEAD);
      else expect(blob.length).toBeLessThan(data.length);
      expect((await open(masterKey, id, blob)).equals(data)).toBe(true);
    }
  });

  it('takes a zstd level (1 is faster, 3 the default); either opens the same way', async () => {
    const data = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${i % 97} of some log\n`).join(''));
    const id = chunkId(masterKey.idKey, data);
    for (const level of [1, 3, 19]) {
      const sealed = await seal(masterKey, id, data, { level });
      expect(sealed.compressed).toBe(true);
      expect((await open(masterKey, id, sealed.sealed)).equals(data)).toBe(true);
    }
  });

  it('uses a fresh nonce each time: the same chunk never seals to the same bytes', async () => {
    const data = Buffer.from('same');
    const id = chunkId(masterKey.idKey, data);
    expect((await seal(masterKey, id, data)).sealed.equals((await seal(masterKey, id, data)).sealed)).toBe(false);
  });

  it('detects a flipped byte, a swapped blob, a wrong key, truncation and an unknown version, naming the chunk', async () => {
    const data = Buffer.from('important bytes '.repeat(1000));
    const id = chunkId(masterKey.idKey, data);
    const hex = id.toString('hex');
    const { sealed } = await seal(masterKey, id, data);
    for (const at of [1, 5, 40, sealed.length - 1]) {
      const flipped = Buffer.from(sealed);
      flipped[at] ^= 1;
      const failure = open(masterKey, id, flipped);
      await expect(failure).rejects.toThrow(CorruptChunkError);
      await expect(failure).rejects.toThrow(new RegExp(`chunk ${hex} is damaged`));
    }
    const otherId = chunkId(masterKey.idKey, Buffer.from('other'));
    await expect(open(masterKey, otherId, sealed)).rejects.toThrow(/authentication failed/);
    const stranger = createKeyFile('pw', fastKdf).masterKey;
    await expect(open(stranger, id, sealed)).rejects.toThrow(/authentication failed/);
    await expect(open(masterKey, id, sealed.subarray(0, 10))).rejects.toThrow(CorruptChunkError);
    const future = Buffer.from(sealed);
    future[0] = 9;
    await expect(open(masterKey, id, future)).rejects.toThrow(/unknown format version 9/);
    try {
      await open(masterKey, otherId, sealed);
    } catch (error) {
      expect((error as CorruptChunkError).chunkId).toBe(otherId.toString('hex'));
    }
  });

  it('verifies the plaintext against the id even when the encryption is intact', async () => {
    // a blob sealed under the right id but holding other content (a buggy or malicious writer)
    const id = chunkId(masterKey.idKey, Buffer.from('claimed content'));
    const { sealed } = await seal(masterKey, id, Buffer.from('actual content'));
    await expect(open(masterKey, id, sealed)).rejects.toThrow(/content does not match its id/);
  });

  it('seals structured objects bound to a label', async () => {
    const blob = await sealObject(masterKey, 'label-a', { hello: ['world', 1] });
    expect(await openObject(masterKey, 'label-a', blob)).toEqual({ hello: ['world', 1] });
    await expect(openObject(masterKey, 'label-b', blob)).rejects.toThrow(/authentication failed/);
  });
});
