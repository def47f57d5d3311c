import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkId } from './hasher';
import { createKeyFile, openKeyFile, rewrapKeyFile, WrongPassphraseError } from './keys';
import { CorruptChunkError, open, seal } from './sealer';

const fastKdf = { N: 1024, r: 8, p: 1 };

describe('repository keys', () => {
  it('unlocks with the right passphrase and refuses a wrong one with a clear error', () => {
    const { keyFile, masterKey } = createKeyFile('correct horse', fastKdf);
    expect(JSON.stringify(keyFile)).not.toContain(masterKey.encryptionKey.toString('base64'));
    expect(openKeyFile(keyFile, 'correct horse').encryptionKey.equals(masterKey.encryptionKey)).toBe(true);
    expect(() => openKeyFile(keyFile, 'wrong')).toThrow(WrongPassphraseError);
    expect(() => openKeyFile(keyFile, 'wrong')).toThrow(/wrong passphrase for repository [0-9a-f]{32}/);
  });

  it('changes the passphrase without changing the master key', () => {
    const { keyFile, masterKey } = createKeyFile('old secret', fastKdf);
    const rewrapped = rewrapKeyFile(keyFile, 'old secret', 'new secret');
    expect(openKeyFile(rewrapped, 'new secret').idKey.equals(masterKey.idKey)).toBe(true);
    expect(() => openKeyFile(rewrapped, 'old secret')).toThrow(WrongPassphraseError);
  });
});

describe('sealing chunks', () => {
  const { masterKey } = createKeyFile('pw', fastKdf);

  it('round-trips compressible and incompressible data, compressing only what shrinks', async () => {
    for (const [data, shouldCompress] of [[Buffer.alloc(100_000, 'abc'), true], [randomBytes(100_000), false]] as const) {
      const id = chunkId(masterKey.idKey, data);
      const { sealed, compressed } = await seal(masterKey, id, data);
      expect(compressed).toBe(shouldCompress);
      expect((await open(masterKey, id, sealed)).equals(data)).toBe(true);
    }
  });

  it('keys ids: the same content has different ids in different repositories', () => {
    const other = createKeyFile('pw', fastKdf).masterKey;
    expect(chunkId(masterKey.idKey, Buffer.from('x')).equals(chunkId(other.idKey, Buffer.from('x')))).toBe(false);
  });

  it('detects a flipped byte, a swapped blob and a wrong key', async () => {
    const data = Buffer.from('important bytes '.repeat(1000));
    const id = chunkId(masterKey.idKey, data);
    const { sealed } = await seal(masterKey, id, data);
    const flipped = Buffer.from(sealed);
    flipped[40] ^= 1;
    await expect(open(masterKey, id, flipped)).rejects.toThrow(CorruptChunkError);
    await expect(open(masterKey, id, flipped)).rejects.toThrow(new RegExp(`chunk ${id.toString('hex')} is damaged`));
    const otherId = chunkId(masterKey.idKey, Buffer.from('other'));
    await expect(open(masterKey, otherId, sealed)).rejects.toThrow(/authentication failed/);
    const stranger = createKeyFile('pw', fastKdf).masterKey;
    await expect(open(stranger, id, sealed)).rejects.toThrow(/authentication failed/);
  });
});
