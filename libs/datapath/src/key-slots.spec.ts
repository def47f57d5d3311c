import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { legacyKeyFile } from './testing/legacy-key-file';
import { LocalKeyProvider, PassphraseProvider, unlockKeyFile } from './key-providers';
import {
  addSlot, createKeyFile, KeyFile, MAX_SLOTS, MasterKey, openKeyFile, parseKeyFile, passphraseSlot, PassphraseSlot, revokeSlot,
  rewrapKeyFile, serializeKeyFile, slotSummary, tenantKey, WrongPassphraseError, zeroMasterKey,
} from './keys';

const fastKdf = { N: 1024, r: 8, p: 1 };
const same = (a: MasterKey, b: MasterKey) => a.encryptionKey.equals(b.encryptionKey) && a.idKey.equals(b.idKey) && a.repositoryId === b.repositoryId;

describe('key slots', () => {
  it('opens with any slot\'s passphrase, each slot wrapping the same master key', async () => {
    const { keyFile, masterKey } = createKeyFile('first secret', fastKdf);
    const two = addSlot(keyFile, passphraseSlot(masterKey, 'alice secret', 'alice', fastKdf, keyFile.slots));
    const three = addSlot(two, await new PassphraseProvider('bob secret', fastKdf).wrap(masterKey, 'bob', two.slots));
    const stored = parseKeyFile(serializeKeyFile(three), `keys/${three.repositoryId}`);
    expect(stored.slots.map((s) => s.label)).toEqual(['passphrase', 'alice', 'bob']);
    expect(new Set(stored.slots.map((s) => s.id)).size).toBe(3);
    for (const passphrase of ['first secret', 'alice secret', 'bob secret']) expect(same(openKeyFile(stored, passphrase), masterKey)).toBe(true);
    const viaBob = await unlockKeyFile(stored, new PassphraseProvider('bob secret'));
    expect(viaBob.slot.label).toBe('bob');
    expect(() => openKeyFile(stored, 'mallory')).toThrow(WrongPassphraseError);
    // what the API shows: never the wrapped material
    expect(JSON.stringify(stored.slots.map(slotSummary))).not.toMatch(/wrapped|kdf|nonce|salt/);
  });

  it('revokes a slot by id or label, rewriting the file without it; the last slot stays', () => {
    const { keyFile, masterKey } = createKeyFile('first secret', fastKdf);
    const two = addSlot(keyFile, passphraseSlot(masterKey, 'alice secret', 'alice', fastKdf, keyFile.slots));
    const { keyFile: after, revoked } = revokeSlot(two, 'passphrase');
    expect(revoked.id).toBe(keyFile.slots[0].id);
    expect(after.slots.map((s) => s.label)).toEqual(['alice']);
    expect(serializeKeyFile(after).toString()).not.toContain((keyFile.slots[0] as PassphraseSlot).wrapped);
    expect(() => openKeyFile(after, 'first secret')).toThrow(WrongPassphraseError);
    expect(same(openKeyFile(after, 'alice secret'), masterKey)).toBe(true);
    expect(() => revokeSlot(after, after.slots[0].id)).toThrow(/slot "alice" is the last key slot of repository [0-9a-f]{32}: add another before revoking it/);
    expect(() => revokeSlot(two, 'nobody')).toThrow(/has no key slot "nobody"/);
    expect(revokeSlot(two, two.slots[1].id).keyFile.slots.map((s) => s.label)).toEqual(['passphrase']);
  });

  it('refuses a taken label, a bad label and more than MAX_SLOTS slots', () => {
    const { keyFile, masterKey } = createKeyFile('pw', fastKdf);
    expect(() => addSlot(keyFile, passphraseSlot(masterKey, 'x', 'passphrase', fastKdf))).toThrow('already has a key slot labelled "passphrase"');
    expect(() => addSlot(keyFile, passphraseSlot(masterKey, 'x', '../etc', fastKdf))).toThrow(/a slot label is 1-64 letters/);
    let full: KeyFile = keyFile;
    for (let i = 1; i < MAX_SLOTS; i++) full = addSlot(full, { ...full.slots[0], id: `0000000${i.toString(16)}`.slice(-8), label: `s${i}` });
    expect(full.slots).toHaveLength(MAX_SLOTS);
    expect(() => addSlot(full, { ...full.slots[0], label: 'one-more' })).toThrow(`has ${MAX_SLOTS} key slots, the most a key file holds`);
    const bytes = serializeKeyFile({ ...full, slots: [...full.slots, { ...full.slots[0], id: 'ffffffff', label: 'x' }] });
    expect(() => parseKeyFile(bytes, 'keys/x')).toThrow(`key file keys/x: slots is not a list of 1 to ${MAX_SLOTS} slots (damaged?)`);
    const twins = serializeKeyFile({ ...keyFile, slots: [keyFile.slots[0], { ...keyFile.slots[0], label: 'twin' }] });
    expect(() => parseKeyFile(twins, 'keys/x')).toThrow('two slots have the same id');
  });

  it('reads a version 1 key file (one passphrase) as one slot with a stable id, and writes it back as version 2', () => {
    const { file, encryptionKey, idKey } = legacyKeyFile('old passphrase');
    const name = `keys/${file.repositoryId}`;
    const read = parseKeyFile(Buffer.from(JSON.stringify(file, null, 2)), name);
    expect(read).toMatchObject({ version: 2, repositoryId: file.repositoryId, cipher: 'aes-256-gcm', slots: [{ kind: 'passphrase', label: 'passphrase', wrapped: file.wrapped }] });
    expect(parseKeyFile(Buffer.from(JSON.stringify(file)), name).slots[0].id).toBe(read.slots[0].id);
    const opened = openKeyFile(read, 'old passphrase');
    expect(opened.encryptionKey.equals(encryptionKey) && opened.idKey.equals(idKey)).toBe(true);
    expect(openKeyFile(file, 'old passphrase').idKey.equals(idKey)).toBe(true); // as JSON.parse gave it
    const changed = rewrapKeyFile(file, 'old passphrase', 'new passphrase');
    const reread = parseKeyFile(serializeKeyFile(changed), name);
    expect(reread.version).toBe(2);
    expect(openKeyFile(reread, 'new passphrase').encryptionKey.equals(encryptionKey)).toBe(true);
    expect(() => openKeyFile(reread, 'old passphrase')).toThrow(WrongPassphraseError);
  });

  it('opens a local-key slot with that key only, and names the slots tried when none opens', async () => {
    const { keyFile, masterKey } = createKeyFile('pw', fastKdf);
    const local = LocalKeyProvider.fromFileBytes(Buffer.from(`${randomBytes(32).toString('base64')}\n`), 'test.key');
    const withLocal = addSlot(keyFile, await local.wrap(masterKey, 'ci host', keyFile.slots));
    const stored = parseKeyFile(serializeKeyFile(withLocal), `keys/${keyFile.repositoryId}`);
    expect(slotSummary(stored.slots[1])).toMatchObject({ kind: 'local-key', label: 'ci host', binding: local.keyId });
    const opened = await unlockKeyFile(stored, local);
    expect(same(opened.masterKey, masterKey)).toBe(true);
    expect(opened.slot.label).toBe('ci host');
    const stranger = new LocalKeyProvider(randomBytes(32), 'other.key');
    await expect(unlockKeyFile(stored, stranger)).rejects.toThrow(/no key slot of repository [0-9a-f]{32} opens with other\.key \(key id [0-9a-f]{16}\) \(1 slot\(s\) of kind local-key: ci host\)/);
    await expect(unlockKeyFile(keyFile, local)).rejects.toThrow('(0 slot(s) of kind local-key: none)');
    expect(() => LocalKeyProvider.fromFileBytes(Buffer.from('too short'), 'bad.key')).toThrow('bad.key: a local key is 32 bytes (raw, or base64), not 9');
    // a local key file of 32 raw bytes works too
    const raw = randomBytes(32);
    expect(LocalKeyProvider.fromFileBytes(raw, 'raw.key').keyId).toBe(new LocalKeyProvider(Buffer.from(raw)).keyId);
  });

  it('zeroes the master key and the tenant keys derived from it', () => {
    const { masterKey } = createKeyFile('pw', fastKdf);
    const tenant = tenantKey(masterKey, 'acme');
    expect(tenant.idKey.equals(Buffer.alloc(32))).toBe(false);
    zeroMasterKey(masterKey);
    for (const key of [masterKey.encryptionKey, masterKey.idKey, tenant.idKey]) expect(key.equals(Buffer.alloc(32))).toBe(true);
  });
});
