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
  constructor(repositoryId: string, keyFileName = `keys/${repositoryId}`) {
    // AES-GCM cannot tell a wrong passphrase from altered bytes: both fail authentication.
    super(`wrong passphrase for repository ${repositoryId}: the key file ${keyFileName} could not be unlocked (check ARCA_PASSPHRASE; or the key file is damaged)`);
    this.name = 'WrongPassphraseError';
  }
}

/** scrypt parameters a key file may ask for: beyond them, an unlock would take minutes or gigabytes (a damaged file). */
const KDF_LIMITS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16 };

/**
 * A key file from the bytes stored under `name` (`keys/<repository id>`), checked field by field
 * before any of it is used: damaged bytes are an error naming the key file and the field, never
 * a scrypt run of absurd cost or a cipher call on a nonce of the wrong length.
 */
export function parseKeyFile(bytes: Buffer, name: string): KeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`key file ${name} is not JSON (damaged?): ${(error as Error).message}`, { cause: error });
  }
  checkKeyFile(parsed, name);
  const fromName = /^keys\/([0-9a-f]{32})$/.exec(name)?.[1];
  if (fromName && fromName !== parsed.repositoryId) throw new Error(`key file ${name} names repository ${parsed.repositoryId}`);
  return parsed;
}

function checkKeyFile(k: unknown, name: string): asserts k is KeyFile {
  const bad = (what: string) => new Error(`key file ${name}: ${what} (damaged?)`);
  const file = k as Partial<KeyFile> | null;
  if (!file || typeof file !== 'object') throw bad('not an object');
  if (file.version !== 1) throw bad(`unsupported version ${JSON.stringify(file.version)}`);
  if (typeof file.repositoryId !== 'string' || !/^[0-9a-f]{32}$/.test(file.repositoryId)) throw bad('repositoryId is not 32 hex digits');
  const kdf = file.kdf;
  if (kdf?.name !== 'scrypt') throw bad(`unsupported kdf ${JSON.stringify(kdf?.name)}`);
  const logN = Math.log2(kdf.N);
  if (!Number.isInteger(logN) || logN < KDF_LIMITS.minLogN || logN > KDF_LIMITS.maxLogN) throw bad(`kdf.N ${JSON.stringify(kdf.N)} is not a power of two from 2^${KDF_LIMITS.minLogN} to 2^${KDF_LIMITS.maxLogN}`);
  if (!Number.isInteger(kdf.r) || kdf.r < 1 || kdf.r > KDF_LIMITS.maxR) throw bad(`kdf.r ${JSON.stringify(kdf.r)} is not from 1 to ${KDF_LIMITS.maxR}`);
  if (!Number.isInteger(kdf.p) || kdf.p < 1 || kdf.p > KDF_LIMITS.maxP) throw bad(`kdf.p ${JSON.stringify(kdf.p)} is not from 1 to ${KDF_LIMITS.maxP}`);
  for (const [field, value, length] of [['kdf.salt', kdf.salt, 16], ['nonce', file.nonce, 12], ['wrapped', file.wrapped, 80]] as const) {
    if (typeof value !== 'string' || Buffer.from(value, 'base64').toString('base64') !== value || Buffer.from(value, 'base64').length !== length) throw bad(`${field} is not ${length} bytes of base64`);
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

/**
 * Unwraps the master key; a wrong passphrase (or a damaged file) fails authentication and says
 * so, never yields garbage. `name` is where the key file was read (errors name it).
 */
export function openKeyFile(keyFile: KeyFile, passphrase: string, name = `keys/${keyFile?.repositoryId}`): MasterKey {
  checkKeyFile(keyFile, name);
  const data = Buffer.from(keyFile.wrapped, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', derive(passphrase, keyFile.kdf), Buffer.from(keyFile.nonce, 'base64'));
  decipher.setAAD(Buffer.from(`arca-key:${keyFile.repositoryId}`));
  decipher.setAuthTag(data.subarray(data.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
  } catch {
    throw new WrongPassphraseError(keyFile.repositoryId, name);
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
