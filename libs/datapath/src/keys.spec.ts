import { describe, expect, it } from 'vitest';
import { createKeyFile, KeyFile, openKeyFile, PassphraseSlot, rewrapKeyFile, WrongPassphraseError } from './keys';

const fastKdf = { N: 1024, r: 8, p: 1 };

describe('repository keys', () => {
  it('unlocks with the right passphrase and refuses a wrong one with a clear error', () => {
    const { keyFile, masterKey } = createKeyFile('correct horse', fastKdf);
    expect(JSON.stringify(keyFile)).not.toContain(masterKey.encryptionKey.toString('base64'));
    expect(JSON.stringify(keyFile)).not.toContain(masterKey.idKey.toString('base64'));
    expect(openKeyFile(keyFile, 'correct horse').encryptionKey.equals(masterKey.encryptionKey)).toBe(true);
    expect(() => openKeyFile(keyFile, 'wrong')).toThrow(WrongPassphraseError);
    expect(() => openKeyFile(keyFile, 'wrong')).toThrow(/wrong passphrase for repository [0-9a-f]{32}/);
    expect(() => openKeyFile(keyFile, '')).toThrow(WrongPassphraseError);
  });

  it('is a small JSON object carrying its KDF parameters, and survives serialization', () => {
    const { keyFile, masterKey } = createKeyFile('pw', fastKdf);
    const copy = JSON.parse(JSON.stringify(keyFile)) as KeyFile;
    expect(copy.slots[0]).toMatchObject({ kind: 'passphrase', label: 'passphrase', kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 } });
    expect(JSON.stringify(keyFile).length).toBeLessThan(700);
    const opened = openKeyFile(copy, 'pw');
    expect(opened.idKey.equals(masterKey.idKey)).toBe(true);
    expect(opened.encryptionKey).toHaveLength(32);
    expect(opened.idKey).toHaveLength(32);
    expect(opened.encryptionKey.equals(opened.idKey)).toBe(false);
  });

  it('defaults to scrypt N = 2^15', () => {
    expect((createKeyFile('pw').keyFile.slots[0] as PassphraseSlot).kdf.N).toBe(2 ** 15);
  });

  it('refuses a tampered key file instead of returning other keys', () => {
    const { keyFile } = createKeyFile('pw', fastKdf);
    const slot = keyFile.slots[0] as PassphraseSlot;
    const wrapped = Buffer.from(slot.wrapped, 'base64');
    wrapped[3] ^= 1;
    expect(() => openKeyFile({ ...keyFile, slots: [{ ...slot, wrapped: wrapped.toString('base64') }] }, 'pw')).toThrow(WrongPassphraseError);
    // the repository id is authenticated too: a key file cannot be relabelled
    expect(() => openKeyFile({ ...keyFile, repositoryId: '0'.repeat(32) }, 'pw')).toThrow(WrongPassphraseError);
    expect(() => openKeyFile({ ...keyFile, version: 3 as 2 }, 'pw')).toThrow(/^key file keys\/[0-9a-f]{32}: unsupported version 3/);
  });

  it('treats composed and decomposed unicode passphrases alike (NFC)', () => {
    const { keyFile } = createKeyFile('caf\u00e9', fastKdf);
    expect(() => openKeyFile(keyFile, 'cafe\u0301')).not.toThrow();
  });

  it('changes the passphrase without changing the master key', () => {
    const { keyFile, masterKey } = createKeyFile('old secret', fastKdf);
    const rewrapped = rewrapKeyFile(keyFile, 'old secret', 'new secret');
    expect(rewrapped.repositoryId).toBe(keyFile.repositoryId);
    expect((rewrapped.slots[0] as PassphraseSlot).kdf.salt).not.toBe((keyFile.slots[0] as PassphraseSlot).kdf.salt);
    expect(rewrapped.slots[0]).toMatchObject({ id: keyFile.slots[0].id, label: keyFile.slots[0].label });
    const opened = openKeyFile(rewrapped, 'new secret');
    expect(opened.idKey.equals(masterKey.idKey)).toBe(true);
    expect(opened.encryptionKey.equals(masterKey.encryptionKey)).toBe(true);
    expect(() => openKeyFile(rewrapped, 'old secret')).toThrow(WrongPassphraseError);
    expect(() => rewrapKeyFile(keyFile, 'not it', 'x')).toThrow(WrongPassphraseError);
  });
});
