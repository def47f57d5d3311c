import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkId } from './hasher';
import { createKeyFile, MasterKey, openKeyFile, tenantKey } from './keys';
import { CorruptChunkError, open, seal } from './sealer';

const fastKdf = { N: 1024, r: 8, p: 1 };

/** HKDF-SHA-256 (RFC 5869) written out with HMAC, to check tenantKey against an implementation of its own. */
function hkdf(ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  let block = Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    block = createHmac('sha256', prk).update(Buffer.concat([block, info, Buffer.from([i])])).digest();
    out.push(block);
  }
  return Buffer.concat(out).subarray(0, length);
}

const master: MasterKey = { encryptionKey: Buffer.alloc(32, 1), idKey: Buffer.alloc(32, 2), repositoryId: 'a'.repeat(32) };

describe('per-tenant chunk-id keys', () => {
  it('keeps the repository key itself for the default tenant, so existing repositories keep their chunk ids', () => {
    const { keyFile, masterKey } = createKeyFile('pass', fastKdf);
    const data = Buffer.from('the same bytes as before tenants');
    const before = chunkId(masterKey.idKey, data);
    const reopened = openKeyFile(keyFile, 'pass');
    expect(tenantKey(reopened, 'default')).toBe(reopened);
    expect(chunkId(tenantKey(reopened, 'default').idKey, data).equals(before)).toBe(true);
  });

  it("derives another tenant's id key with HKDF-SHA-256 (salt: repository id, info: arca-tenant-chunk-ids:<tenant>), keeping the encryption key", () => {
    const acme = tenantKey(master, 'acme');
    expect(acme.idKey.equals(hkdf(master.idKey, Buffer.from(master.repositoryId), Buffer.from('arca-tenant-chunk-ids:acme'), 32))).toBe(true);
    expect(acme.encryptionKey).toBe(master.encryptionKey);
    expect(acme.repositoryId).toBe(master.repositoryId);
    expect(tenantKey(master, 'acme')).toBe(acme); // memoized: one Buffer, one KeyObject
  });

  it('gives the same content unrelated ids in two tenants and two repositories', () => {
    const data = Buffer.from('a file both tenants hold');
    const ids = [tenantKey(master, 'default'), tenantKey(master, 'acme'), tenantKey(master, 'globex'), tenantKey({ ...master, repositoryId: 'b'.repeat(32) }, 'acme')]
      .map((k) => chunkId(k.idKey, data).toString('hex'));
    expect(new Set(ids).size).toBe(4);
    expect(tenantKey(master, 'acme').idKey.equals(tenantKey(master, 'acme-').idKey)).toBe(false);
  });

  it("opens a tenant's chunk under its own key, refuses it under another tenant's, and accepts it when that tenant's id key is offered too", async () => {
    const acme = tenantKey(master, 'acme');
    const data = Buffer.from('acme payroll '.repeat(100));
    const id = chunkId(acme.idKey, data);
    const { sealed } = await seal(acme, id, data);
    expect((await open(acme, id, sealed)).equals(data)).toBe(true);
    await expect(open(master, id, sealed)).rejects.toThrow(CorruptChunkError);
    await expect(open(master, id, sealed)).rejects.toThrow(/content does not match its id/);
    expect((await open(master, id, sealed, [tenantKey(master, 'globex').idKey, acme.idKey])).equals(data)).toBe(true);
  });
});
