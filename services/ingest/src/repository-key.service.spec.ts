import { chunkId, open, parseKeyFile, seal } from '@arca/datapath';
import { startFakeVault } from '@arca/datapath/src/testing/fake-vault';
import { legacyKeyFile } from '@arca/datapath/src/testing/legacy-key-file';
import { FsObjectStore } from '@arca/object-store';
import { loadConfig } from '@arca/service-kit';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { IngestEnv } from './config';
import { RepositoryKeyService } from './repository-key.service';
import { SiteStores } from './site-stores';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arca-repo-key-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => vi.unstubAllEnvs());
Logger.overrideLogger(false);

function serviceOn(store: FsObjectStore): RepositoryKeyService {
  return new RepositoryKeyService(new SiteStores(store));
}

describe('the repository key in the ingest service', () => {
  it('creates a repository of the configured cipher, unlocked by a local key file, and zeroes the key when it stops', async () => {
    const keyPath = path.join(temp(), 'local.key');
    writeFileSync(keyPath, randomBytes(32).toString('base64'));
    vi.stubEnv('ARCA_KEY_PROVIDER', 'local-key');
    vi.stubEnv('ARCA_LOCAL_KEY_FILE', keyPath);
    vi.stubEnv('ARCA_CIPHER', 'chacha20-poly1305');
    const store = new FsObjectStore(temp());
    const service = serviceOn(store);
    await service.onModuleInit();
    const key = service.key;
    expect(key.cipher).toBe('chacha20-poly1305');
    const [name] = await (async () => { const k: string[] = []; for await (const i of store.list('keys/')) k.push(i.key); return k; })();
    const stored = parseKeyFile(await store.get(name), name);
    expect(stored).toMatchObject({ version: 2, cipher: 'chacha20-poly1305', slots: [{ kind: 'local-key', label: 'local-key' }] });
    const data = Buffer.from('sealed under the repository cipher');
    const id = chunkId(key.idKey, data);
    const sealed = (await seal(key, id, data)).sealed;
    expect(sealed[0]).toBe(2);

    // another worker, same file: the same key, the repository's cipher whatever ARCA_CIPHER says now
    vi.stubEnv('ARCA_CIPHER', 'aes-256-gcm');
    const other = serviceOn(store);
    await other.onModuleInit();
    expect(other.key.cipher).toBe('chacha20-poly1305');
    expect((await open(other.key, id, sealed)).equals(data)).toBe(true);

    service.onModuleDestroy();
    expect(key.encryptionKey.equals(Buffer.alloc(32))).toBe(true);
    expect(key.idKey.equals(Buffer.alloc(32))).toBe(true);
    expect(() => service.key).toThrow('the repository is not unlocked yet');
  });

  it('opens a version 1 key file, writes version 2 on the first slot change, and refuses a slot without a current passphrase', async () => {
    const { file } = legacyKeyFile('the old passphrase');
    const store = new FsObjectStore(temp());
    await store.put(`keys/${file.repositoryId}`, Buffer.from(JSON.stringify(file, null, 2)));
    vi.stubEnv('ARCA_PASSPHRASE', 'the old passphrase');
    const service = serviceOn(store);
    await service.onModuleInit();
    const listed = await service.listSlots();
    expect(listed).toMatchObject({ repositoryId: file.repositoryId, cipher: 'aes-256-gcm', slots: [{ label: 'passphrase', kind: 'passphrase', unlockedHere: true }] });

    await expect(service.addSlot({ label: 'bob', kind: 'passphrase', passphrase: 'bob passphrase' })).rejects.toThrow(/currentPassphrase must be the passphrase/);
    await expect(service.addSlot({ label: 'kms', kind: 'vault-transit', currentPassphrase: 'the old passphrase' })).rejects.toThrow('a vault-transit slot needs ARCA_VAULT_ADDR and ARCA_VAULT_TOKEN set on the ingest service');
    const added = await service.addSlot({ label: 'bob', kind: 'passphrase', passphrase: 'bob passphrase', currentPassphrase: 'the old passphrase' });
    expect(added.slot).toMatchObject({ label: 'bob', kind: 'passphrase', unlockedHere: false });
    const rewritten = JSON.parse((await store.get(`keys/${file.repositoryId}`)).toString()) as { version: number; slots: unknown[] };
    expect(rewritten.version).toBe(2);
    expect(rewritten.slots).toHaveLength(2);

    const revoked = await service.revokeSlot('passphrase');
    expect(revoked).toMatchObject({ slot: { label: 'passphrase', unlockedHere: true }, remaining: 1 });
    await expect(service.revokeSlot('bob')).rejects.toThrow(/slot "bob" is the last key slot/);
    await expect(service.revokeSlot('nobody')).rejects.toMatchObject({ status: 404 });

    // a Vault that refuses the token: no slot is written
    const vault = await startFakeVault({ token: 'hvs.right' });
    try {
      vi.stubEnv('ARCA_VAULT_ADDR', vault.url);
      vi.stubEnv('ARCA_VAULT_TOKEN', 'hvs.wrong');
      await expect(service.addSlot({ label: 'kms', kind: 'vault-transit', currentPassphrase: 'bob passphrase' })).rejects.toMatchObject({ status: 502, message: expect.stringMatching(/could not wrap the repository key with Vault Transit key transit\/arca .*answered 403: permission denied/) });
      expect((await service.listSlots()).slots.map((s) => s.label)).toEqual(['bob']);
    } finally {
      await vault.close();
    }

    vi.stubEnv('ARCA_PASSPHRASE', 'bob passphrase');
    const restarted = serviceOn(store);
    await restarted.onModuleInit();
    expect(restarted.key.encryptionKey.equals(service.key.encryptionKey)).toBe(true);
    vi.stubEnv('ARCA_PASSPHRASE', 'the old passphrase');
    await expect(serviceOn(store).onModuleInit()).rejects.toThrow(/wrong passphrase for repository/);
  });
});

describe('key provider configuration, validated at start', () => {
  const base = { KAFKA_BROKERS: '127.0.0.1:9092' };
  it('names what a provider is missing, and accepts each provider configured', () => {
    expect(() => loadConfig(IngestEnv, { ...base, ARCA_KEY_PROVIDER: 'vault-transit' })).toThrow(/ARCA_VAULT_ADDR must be the http\(s\) URL of Vault.*ARCA_VAULT_TOKEN must be set/);
    expect(() => loadConfig(IngestEnv, { ...base, ARCA_KEY_PROVIDER: 'local-key' })).toThrow(/ARCA_LOCAL_KEY_FILE must name the local key file/);
    expect(() => loadConfig(IngestEnv, { ...base })).toThrow(/ARCA_PASSPHRASE must be set/);
    expect(() => loadConfig(IngestEnv, { ...base, ARCA_KEY_PROVIDER: 'kms' })).toThrow(/ARCA_KEY_PROVIDER must be one of passphrase, local-key, vault-transit/);
    expect(() => loadConfig(IngestEnv, { ...base, ARCA_PASSPHRASE: 'long enough', ARCA_CIPHER: 'des' })).toThrow(/ARCA_CIPHER must be one of aes-256-gcm, chacha20-poly1305/);
    expect(() => loadConfig(IngestEnv, { ...base, ARCA_PASSPHRASE: 'long enough', ARCA_VAULT_TOKEN: 'hvs.x' })).toThrow(/ARCA_VAULT_ADDR must be/);
    expect(() => loadConfig(IngestEnv, { ...base, ARCA_KEY_PROVIDER: 'vault-transit', ARCA_VAULT_ADDR: 'https://vault.example.com:8200', ARCA_VAULT_TOKEN: 'hvs.x', ARCA_VAULT_TRANSIT_KEY: '../x' })).toThrow(/ARCA_VAULT_TRANSIT_KEY must be/);
    expect(loadConfig(IngestEnv, { ...base, ARCA_KEY_PROVIDER: 'vault-transit', ARCA_VAULT_ADDR: 'http://127.0.0.1:8200', ARCA_VAULT_TOKEN: 'hvs.x' }).ARCA_VAULT_TRANSIT_KEY).toBe('arca');
    expect(loadConfig(IngestEnv, { ...base, ARCA_KEY_PROVIDER: 'local-key', ARCA_LOCAL_KEY_FILE: '/etc/arca/key' }).ARCA_CIPHER).toBe('aes-256-gcm');
    expect(loadConfig(IngestEnv, { ...base, ARCA_PASSPHRASE: 'long enough', ARCA_CIPHER: 'chacha20-poly1305' }).ARCA_CIPHER).toBe('chacha20-poly1305');
  });
});
