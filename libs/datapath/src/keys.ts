import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scryptSync } from 'node:crypto';

/** The repository's secrets, unwrapped: never stored anywhere in this form. */
export interface MasterKey {
  /** AES-256-GCM key for chunks, pack headers and manifests. */
  encryptionKey: Buffer;
  /** HMAC-SHA-256 key for chunk ids. */
  idKey: Buffer;
  repositoryId: string;
}

/** What is stored (in the object store under keys/): the master key wrapped by a passphrase. */
export interface KeyFile {
  version: 1;
  repositoryId: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  nonce: string;
  /** AES-256-GCM(encryptionKey ‖ idKey) with the tag appended, base64. */
  wrapped: string;
  createdAt: string;
}

export class WrongPassphraseError extends Error {
  constructor(repositoryId: string) {
    super(`wrong passphrase for repository ${repositoryId}: the key file could not be unlocked (check ARCA_PASSPHRASE)`);
    this.name = 'WrongPassphraseError';
  }
}

/** scrypt N = 2^15: ~100 ms and 32 MiB per unlock, a brute-force cost without slowing a service start. */
const DEFAULT_KDF = { N: 2 ** 15, r: 8, p: 1 };

function derive(passphrase: string, kdf: KeyFile['kdf']): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r * kdf.p });
}

function wrap(master: MasterKey, passphrase: string, kdfParams = DEFAULT_KDF): KeyFile {
  const kdf = { name: 'scrypt' as const, ...kdfParams, salt: randomBytes(16).toString('base64') };
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(passphrase, kdf), nonce);
  cipher.setAAD(Buffer.from(`arca-key:${master.repositoryId}`));
  const wrapped = Buffer.concat([cipher.update(Buffer.concat([master.encryptionKey, master.idKey])), cipher.final(), cipher.getAuthTag()]);
  return { version: 1, repositoryId: master.repositoryId, kdf, nonce: nonce.toString('base64'), wrapped: wrapped.toString('base64'), createdAt: new Date().toISOString() };
}

/** A new repository: random master key, wrapped by the passphrase. */
export function createKeyFile(passphrase: string, kdfParams = DEFAULT_KDF): { keyFile: KeyFile; masterKey: MasterKey } {
  const masterKey: MasterKey = { encryptionKey: randomBytes(32), idKey: randomBytes(32), repositoryId: randomBytes(16).toString('hex') };
  return { keyFile: wrap(masterKey, passphrase, kdfParams), masterKey };
}

/** Unwraps the master key; a wrong passphrase fails authentication and says so, never yields garbage. */
export function openKeyFile(keyFile: KeyFile, passphrase: string): MasterKey {
  if (keyFile.version !== 1 || keyFile.kdf?.name !== 'scrypt') throw new Error(`unsupported key file (version ${keyFile.version}, kdf ${keyFile.kdf?.name})`);
  const data = Buffer.from(keyFile.wrapped, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', derive(passphrase, keyFile.kdf), Buffer.from(keyFile.nonce, 'base64'));
  decipher.setAAD(Buffer.from(`arca-key:${keyFile.repositoryId}`));
  decipher.setAuthTag(data.subarray(data.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
  } catch {
    throw new WrongPassphraseError(keyFile.repositoryId);
  }
  return { encryptionKey: plain.subarray(0, 32), idKey: plain.subarray(32, 64), repositoryId: keyFile.repositoryId };
}

/** Changes the passphrase: the same master key wrapped anew, so no chunk is touched. */
export function rewrapKeyFile(keyFile: KeyFile, oldPassphrase: string, newPassphrase: string): KeyFile {
  const { N, r, p } = keyFile.kdf;
  return wrap(openKeyFile(keyFile, oldPassphrase), newPassphrase, { N, r, p });
}

/** The installation's tenant: its chunk ids are the repository's own (see tenantKey). */
const DEFAULT_TENANT = 'default';

const tenantKeys = new WeakMap<MasterKey, Map<string, MasterKey>>();

/**
 * The key a tenant's backups use: the repository's encryption key, and a chunk-id key of the
 * tenant's own, HKDF-SHA-256 of the repository's id key (salt: the repository id, info:
 * `arca-tenant-chunk-ids:<tenant>`). The same content thus gets unrelated chunk ids in two tenants,
 * so dedupe never crosses them, and one tenant's ids say nothing about another's data. The
 * `default` tenant keeps the repository's id key itself, so repositories written before tenants
 * keep their chunk ids. Memoized per key and tenant: the same Buffer each time, so its KeyObject
 * is made once (secret-keys.ts).
 */
export function tenantKey(master: MasterKey, tenant: string): MasterKey {
  if (tenant === DEFAULT_TENANT) return master;
  let derived = tenantKeys.get(master);
  if (!derived) {
    derived = new Map();
    tenantKeys.set(master, derived);
  }
  let key = derived.get(tenant);
  if (!key) {
    const idKey = Buffer.from(hkdfSync('sha256', master.idKey, Buffer.from(master.repositoryId, 'utf8'), Buffer.from(`arca-tenant-chunk-ids:${tenant}`, 'utf8'), 32));
    key = { encryptionKey: master.encryptionKey, idKey, repositoryId: master.repositoryId };
    derived.set(tenant, key);
  }
  return key;
}
