import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unlockKeyFile, VaultTransitProvider } from './key-providers';
import { addSlot, createKeyFile, KeyFile, openKeyFile, parseKeyFile, serializeKeyFile, slotSummary, VaultTransitSlot } from './keys';
import { startFakeVault } from './testing/fake-vault';

const TOKEN = 'hvs.fake-test-token';
let vault: Awaited<ReturnType<typeof startFakeVault>>;
beforeAll(async () => {
  vault = await startFakeVault({ token: TOKEN });
});
afterAll(() => vault.close());

const provider = (keyName = 'arca', token = TOKEN) => new VaultTransitProvider({ address: `${vault.url}/`, token, keyName });

describe('HashiCorp Vault Transit key provider', () => {
  it('wraps the master key with POST /v1/transit/encrypt/:name and unwraps it with /decrypt, as Vault documents them', async () => {
    const { keyFile, masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
    vault.requests.length = 0;
    const slot = await provider().wrap(masterKey, 'vault', keyFile.slots);
    expect(slot).toMatchObject({ kind: 'vault-transit', label: 'vault', mount: 'transit', keyName: 'arca' });
    expect(slot.ciphertext).toMatch(/^vault:v1:/);
    const [encrypt] = vault.requests;
    expect(encrypt).toMatchObject({ method: 'POST', path: '/v1/transit/encrypt/arca' });
    expect(encrypt.headers['x-vault-token']).toBe(TOKEN);
    expect(encrypt.headers['content-type']).toBe('application/json');
    expect(Object.keys(encrypt.body as object)).toEqual(['plaintext']);
    const plaintext = Buffer.from((encrypt.body as { plaintext: string }).plaintext, 'base64');
    // what Vault is given: the repository id, then the two keys
    expect(plaintext.equals(Buffer.concat([Buffer.from(masterKey.repositoryId, 'hex'), masterKey.encryptionKey, masterKey.idKey]))).toBe(true);

    const file = parseKeyFile(serializeKeyFile(addSlot(keyFile, slot)), `keys/${keyFile.repositoryId}`);
    expect(JSON.stringify(file)).not.toContain(masterKey.encryptionKey.toString('base64'));
    expect(slotSummary(file.slots[1])).toMatchObject({ kind: 'vault-transit', binding: 'transit/arca' });
    vault.requests.length = 0;
    const opened = await unlockKeyFile(file, provider());
    expect(opened.slot.label).toBe('vault');
    expect(opened.masterKey.encryptionKey.equals(masterKey.encryptionKey) && opened.masterKey.idKey.equals(masterKey.idKey)).toBe(true);
    expect(vault.requests).toHaveLength(1);
    expect(vault.requests[0]).toMatchObject({ method: 'POST', path: '/v1/transit/decrypt/arca', body: { ciphertext: slot.ciphertext } });
    expect(vault.requests[0].headers['x-vault-token']).toBe(TOKEN);
    // the passphrase slot still opens the same key
    expect(openKeyFile(file, 'pw').encryptionKey.equals(masterKey.encryptionKey)).toBe(true);
  });

  it("says what Vault answered when it refuses: a wrong token, another repository's ciphertext, Vault down", async () => {
    const { keyFile, masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
    const file: KeyFile = addSlot(keyFile, await provider().wrap(masterKey, 'vault', keyFile.slots));
    await expect(unlockKeyFile(file, provider('arca', 'hvs.wrong'))).rejects.toThrow(/slot "vault": Vault decrypt with key transit\/arca answered 403: permission denied/);
    await expect(provider('arca', 'hvs.wrong').wrap(masterKey, 'x', [])).rejects.toThrow('Vault encrypt with key transit/arca answered 403: permission denied');

    // a ciphertext Vault opens, of another repository's key, moved into this key file
    const other = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
    const foreign = await provider().wrap(other.masterKey, 'vault', []);
    const swapped: KeyFile = { ...file, slots: [file.slots[0], { ...(file.slots[1] as VaultTransitSlot), ciphertext: foreign.ciphertext }] };
    await expect(unlockKeyFile(swapped, provider())).rejects.toThrow(`decrypts to something other than repository ${file.repositoryId}'s key`);

    const down = new VaultTransitProvider({ address: 'http://127.0.0.1:1', token: TOKEN, keyName: 'arca', timeoutMs: 2000 });
    await expect(unlockKeyFile(file, down)).rejects.toThrow(/Vault at http:\/\/127\.0\.0\.1:1 unreachable for decrypt with key transit\/arca/);
  });

  it('opens a slot bound to another Transit key of the same Vault; refuses names that are not Vault names', async () => {
    const { keyFile, masterKey } = createKeyFile('pw', { N: 1024, r: 8, p: 1 });
    const file = addSlot(keyFile, await provider().withKey('team-b').wrap(masterKey, 'team b', keyFile.slots));
    expect((file.slots[1] as VaultTransitSlot).keyName).toBe('team-b');
    vault.requests.length = 0;
    await unlockKeyFile(file, provider('arca'));
    expect(vault.requests.map((r) => r.path)).toEqual(['/v1/transit/decrypt/team-b']);
    expect(() => provider('../sys')).toThrow('Vault Transit key name "../sys" is not 1-128 letters');
    expect(() => new VaultTransitProvider({ address: vault.url, token: TOKEN, keyName: 'a', mount: 'transit/../sys' })).toThrow('Vault Transit mount');
  });
});
