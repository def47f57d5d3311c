import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, scryptSync } from 'node:crypto';

/** The ciphers a repository may seal under, chosen when it is created (sealer.ts). */
export const CIPHERS = ['aes-256-gcm', 'chacha20-poly1305'] as const;
export type Cipher = (typeof CIPHERS)[number];
export const DEFAULT_CIPHER: Cipher = 'aes-256-gcm';

/** The repository's secrets, unwrapped: never stored anywhere in this form. */
export interface MasterKey {
  /** The encryption key for chunks, pack headers and manifests (of `cipher`). */
  encryptionKey: Buffer;
  /** HMAC-SHA-256 key for chunk ids. */
  idKey: Buffer;
  repositoryId: string;
  /** What new objects are sealed with (absent: AES-256-GCM). Opening reads the cipher each object names. */
  cipher?: Cipher;
  /** The key generation `encryptionKey` is, which new objects are sealed under and name (absent: 1, the key the slots wrap). */
  generation?: number;
  /** Every generation's encryption key, to open older objects (absent: generation 1 only, `encryptionKey`). */
  generationKeys?: ReadonlyMap<number, Buffer>;
}

/**
 * A master key generation made by `arca keys rotate`: a fresh 32-byte encryption key wrapped
 * (AES-256-GCM) under a key-wrapping key derived from generation 1's 64 bytes, the bytes every
 * slot wraps (generationWrapKey). So every slot, old or added later, opens every generation
 * without being rewrapped, and rotating needs no slot's secret. Generation 1 is the key in the
 * slots; its createdAt is the key file's.
 */
export interface KeyGeneration {
  generation: number;
  createdAt: string;
  nonce: string;
  /** AES-256-GCM(the generation's encryption key) with the tag appended, base64. */
  wrapped: string;
}

/** The scrypt parameters and salt a passphrase slot was wrapped with. */
export interface Kdf {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
}

interface SlotBase {
  /** 8 hex digits, unique in the key file. */
  id: string;
  /** What the slot is for (who holds its secret): 1-64 of letters, digits, space and . _ @ - */
  label: string;
  createdAt: string;
}

/** The master key wrapped by a passphrase: scrypt, then AES-256-GCM. */
export interface PassphraseSlot extends SlotBase {
  kind: 'passphrase';
  kdf: Kdf;
  nonce: string;
  /** AES-256-GCM(encryptionKey ‖ idKey) with the tag appended, base64. */
  wrapped: string;
}

/** The master key wrapped (AES-256-GCM) by 32 random bytes kept in a local file: tests and single hosts. */
export interface LocalKeySlot extends SlotBase {
  kind: 'local-key';
  /** The first 16 hex digits of the SHA-256 of the local key: which file opens this slot. */
  keyId: string;
  nonce: string;
  wrapped: string;
}

/** The master key wrapped by a HashiCorp Vault Transit key, which never leaves Vault. */
export interface VaultTransitSlot extends SlotBase {
  kind: 'vault-transit';
  /** The Transit engine's mount path (`transit`). */
  mount: string;
  keyName: string;
  /** Vault's `vault:v<n>:…` ciphertext of (repository id ‖ encryptionKey ‖ idKey). */
  ciphertext: string;
}

export type KeySlot = PassphraseSlot | LocalKeySlot | VaultTransitSlot;
export type SlotKind = KeySlot['kind'];
export const SLOT_KINDS: readonly SlotKind[] = ['passphrase', 'local-key', 'vault-transit'];

/** What is stored (in the object store under keys/): the master key, wrapped once per slot. */
export interface KeyFile {
  version: 2;
  repositoryId: string;
  /** The cipher new objects of this repository are sealed with. */
  cipher: Cipher;
  slots: KeySlot[];
  createdAt: string;
  /** Generations 2 and up, oldest first (absent: never rotated, generation 1 only). */
  generations?: KeyGeneration[];
}

/** A key file as written before slots: one passphrase. Read as a key file of one slot, written as version 2. */
export interface LegacyKeyFile {
  version: 1;
  repositoryId: string;
  kdf: Kdf;
  nonce: string;
  wrapped: string;
  createdAt: string;
}

/** A slot as the API shows it: never its wrapped material. */
export interface SlotSummary {
  id: string;
  label: string;
  kind: SlotKind;
  createdAt: string;
  /** vault-transit slots: `<mount>/<keyName>`; local-key slots: the key's id. */
  binding?: string;
}

export class WrongPassphraseError extends Error {
  constructor(repositoryId: string, keyFileName = `keys/${repositoryId}`) {
    // AES-GCM cannot tell a wrong passphrase from altered bytes: both fail authentication.
    super(`wrong passphrase for repository ${repositoryId}: the key file ${keyFileName} could not be unlocked (check ARCA_PASSPHRASE; or the key file is damaged)`);
    this.name = 'WrongPassphraseError';
  }
}

/** A key file that no slot of the provider's kind opens (a wrong local key, a Vault key that is not this one). */
export class NoSlotOpensError extends Error {
  constructor(repositoryId: string, keyFileName: string, what: string) {
    super(`no key slot of repository ${repositoryId} opens with ${what}: the key file ${keyFileName} could not be unlocked`);
    this.name = 'NoSlotOpensError';
  }
}

/** A request about slots that cannot be done (a label taken, the last slot): the caller's mistake, said plainly. */
export class SlotError extends Error {
  constructor(message: string, readonly status: 404 | 409 = 409) {
    super(message);
    this.name = 'SlotError';
  }
}

/** scrypt parameters a key file may ask for: beyond them, an unlock would take minutes or gigabytes (a damaged file). */
const KDF_LIMITS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16 };
/** Enough for every administrator and KMS of an installation; each passphrase slot costs an scrypt run at a failed unlock. */
export const MAX_SLOTS = 16;
export const SLOT_LABEL = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;
export const SLOT_LABEL_RULE = 'a slot label is 1-64 letters, digits, spaces and . _ @ -, starting with a letter or digit';
const MASTER_BYTES = 64;

/**
 * A key file from the bytes stored under `name` (`keys/<repository id>`), checked field by field
 * before any of it is used: damaged bytes are an error naming the key file and the field, never
 * a scrypt run of absurd cost or a cipher call on a nonce of the wrong length. A version 1 file
 * (one passphrase) comes back as a version 2 file of one slot labelled `passphrase`.
 */
export function parseKeyFile(bytes: Buffer, name: string): KeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`key file ${name} is not JSON (damaged?): ${(error as Error).message}`, { cause: error });
  }
  const keyFile = checkKeyFile(parsed, name);
  const fromName = /^keys\/([0-9a-f]{32})$/.exec(name)?.[1];
  if (fromName && fromName !== keyFile.repositoryId) throw new Error(`key file ${name} names repository ${keyFile.repositoryId}`);
  return keyFile;
}

/** The bytes a key file is stored as. */
export function serializeKeyFile(keyFile: KeyFile): Buffer {
  return Buffer.from(JSON.stringify(keyFile, null, 2));
}

function isBase64Of(value: unknown, length: number): boolean {
  return typeof value === 'string' && Buffer.from(value, 'base64').toString('base64') === value && Buffer.from(value, 'base64').length === length;
}

function checkKdf(kdf: Partial<Kdf> | undefined, at: string, bad: (what: string) => Error): void {
  if (kdf?.name !== 'scrypt') throw bad(`unsupported ${at}kdf ${JSON.stringify(kdf?.name)}`);
  const logN = Math.log2(kdf.N as number);
  if (!Number.isInteger(logN) || logN < KDF_LIMITS.minLogN || logN > KDF_LIMITS.maxLogN) throw bad(`${at}kdf.N ${JSON.stringify(kdf.N)} is not a power of two from 2^${KDF_LIMITS.minLogN} to 2^${KDF_LIMITS.maxLogN}`);
  if (!Number.isInteger(kdf.r) || kdf.r! < 1 || kdf.r! > KDF_LIMITS.maxR) throw bad(`${at}kdf.r ${JSON.stringify(kdf.r)} is not from 1 to ${KDF_LIMITS.maxR}`);
  if (!Number.isInteger(kdf.p) || kdf.p! < 1 || kdf.p! > KDF_LIMITS.maxP) throw bad(`${at}kdf.p ${JSON.stringify(kdf.p)} is not from 1 to ${KDF_LIMITS.maxP}`);
  if (!isBase64Of(kdf.salt, 16)) throw bad(`${at}kdf.salt is not 16 bytes of base64`);
}

function checkWrapped(slot: { nonce?: unknown; wrapped?: unknown }, at: string, bad: (what: string) => Error): void {
  for (const [field, value, length] of [['nonce', slot.nonce, 12], ['wrapped', slot.wrapped, MASTER_BYTES + 16]] as const) {
    if (!isBase64Of(value, length)) throw bad(`${at}${field} is not ${length} bytes of base64`);
  }
}

function checkSlot(s: unknown, at: string, bad: (what: string) => Error): KeySlot {
  const slot = s as Partial<KeySlot> & Record<string, unknown>;
  if (!slot || typeof slot !== 'object') throw bad(`${at}is not an object`);
  if (typeof slot.id !== 'string' || !/^[0-9a-f]{8}$/.test(slot.id)) throw bad(`${at}id is not 8 hex digits`);
  if (typeof slot.label !== 'string' || !SLOT_LABEL.test(slot.label)) throw bad(`${at}label ${JSON.stringify(slot.label)} is not a slot label`);
  if (typeof slot.createdAt !== 'string') throw bad(`${at}createdAt is not a string`);
  if (slot.kind === 'passphrase') {
    checkKdf(slot.kdf as Partial<Kdf>, at, bad);
    checkWrapped(slot, at, bad);
  } else if (slot.kind === 'local-key') {
    if (typeof slot.keyId !== 'string' || !/^[0-9a-f]{16}$/.test(slot.keyId)) throw bad(`${at}keyId is not 16 hex digits`);
    checkWrapped(slot, at, bad);
  } else if (slot.kind === 'vault-transit') {
    if (typeof slot.mount !== 'string' || !VAULT_PATH.test(slot.mount)) throw bad(`${at}mount is not a Vault mount path`);
    if (typeof slot.keyName !== 'string' || !VAULT_NAME.test(slot.keyName)) throw bad(`${at}keyName is not a Vault key name`);
    if (typeof slot.ciphertext !== 'string' || !/^vault:v\d+:[A-Za-z0-9+/=]{1,4096}$/.test(slot.ciphertext)) throw bad(`${at}ciphertext is not a Vault ciphertext`);
  } else {
    throw bad(`${at}unsupported kind ${JSON.stringify(slot.kind)}`);
  }
  return slot as KeySlot;
}

/** A Transit mount path and key name as Arca accepts them (what Vault accepts, without `..` or URL syntax). */
export const VAULT_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
export const VAULT_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

function checkKeyFile(k: unknown, name: string): KeyFile {
  const bad = (what: string) => new Error(`key file ${name}: ${what} (damaged?)`);
  const file = k as (Partial<KeyFile> | Partial<LegacyKeyFile>) | null;
  if (!file || typeof file !== 'object') throw bad('not an object');
  if (file.version !== 1 && file.version !== 2) throw bad(`unsupported version ${JSON.stringify(file.version)}`);
  if (typeof file.repositoryId !== 'string' || !/^[0-9a-f]{32}$/.test(file.repositoryId)) throw bad('repositoryId is not 32 hex digits');
  if (file.version === 1) {
    checkKdf(file.kdf, '', bad);
    checkWrapped(file, '', bad);
    return migrateLegacy(file as LegacyKeyFile);
  }
  const v2 = file as Partial<KeyFile>;
  if (!CIPHERS.includes(v2.cipher as Cipher)) throw bad(`unsupported cipher ${JSON.stringify(v2.cipher)}`);
  if (!Array.isArray(v2.slots) || v2.slots.length === 0 || v2.slots.length > MAX_SLOTS) throw bad(`slots is not a list of 1 to ${MAX_SLOTS} slots`);
  const slots = v2.slots.map((s, i) => checkSlot(s, `slots[${i}].`, bad));
  const ids = new Set(slots.map((s) => s.id));
  if (ids.size !== slots.length) throw bad('two slots have the same id');
  if (v2.generations !== undefined) {
    if (!Array.isArray(v2.generations) || v2.generations.length >= MAX_GENERATION) throw bad(`generations is not a list of at most ${MAX_GENERATION - 1} generations`);
    v2.generations.forEach((g, i) => {
      if (!g || typeof g !== 'object' || g.generation !== i + 2) throw bad(`generations[${i}].generation is not ${i + 2} (generations are 2, 3, ... in order)`);
      if (typeof g.createdAt !== 'string') throw bad(`generations[${i}].createdAt is not a string`);
      if (!isBase64Of(g.nonce, 12) || !isBase64Of(g.wrapped, 32 + 16)) throw bad(`generations[${i}] is not a 12-byte nonce and a 48-byte wrapped key in base64`);
    });
  }
  return v2 as KeyFile;
}

/** A version 1 key file as one passphrase slot; its id is derived from its bytes, so it is the same at every read. */
function migrateLegacy(file: LegacyKeyFile): KeyFile {
  const id = createHash('sha256').update(file.wrapped).digest('hex').slice(0, 8);
  const slot: PassphraseSlot = { id, label: 'passphrase', kind: 'passphrase', createdAt: file.createdAt, kdf: file.kdf, nonce: file.nonce, wrapped: file.wrapped };
  return { version: 2, repositoryId: file.repositoryId, cipher: DEFAULT_CIPHER, slots: [slot], createdAt: file.createdAt };
}

/** scrypt N = 2^15: ~100 ms and 32 MiB per unlock, a brute-force cost without slowing a service start. */
const DEFAULT_KDF = { N: 2 ** 15, r: 8, p: 1 };
export type KdfParams = typeof DEFAULT_KDF;

function derive(passphrase: string, kdf: Kdf): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r * kdf.p });
}

function slotAad(repositoryId: string): Buffer {
  return Buffer.from(`arca-key:${repositoryId}`);
}

/** The 64 bytes every slot wraps (generation 1's encryption key and the id key, whatever generation seals now). The caller zeroes it once wrapped. */
export function masterBytes(master: MasterKey): Buffer {
  return Buffer.concat([master.generationKeys?.get(1) ?? master.encryptionKey, master.idKey]);
}

/** Generations are numbered 1 to 65,535 (a uint16 in each sealed object's header). */
export const MAX_GENERATION = 0xffff;

/** An object sealed under a key generation the key does not hold: a key file older than the data, or damage. */
export class KeyGenerationError extends Error {
  constructor(readonly object: string, readonly generation: number, held: readonly number[]) {
    super(`${object} is sealed under key generation ${generation}, which the repository key does not hold (it holds generation${held.length === 1 ? '' : 's'} ${held.join(', ')}): the key file is older than the data, or the object is damaged`);
    this.name = 'KeyGenerationError';
  }
}

/** The generations a key holds, oldest first. */
export function heldGenerations(master: MasterKey): number[] {
  return master.generationKeys ? [...master.generationKeys.keys()].sort((a, b) => a - b) : [master.generation ?? 1];
}

/** The encryption key of `generation`, for opening `object` (named in the error when the key lacks it). */
export function generationKey(master: MasterKey, generation: number, object: string): Buffer {
  const current = master.generation ?? 1;
  if (generation === current) return master.encryptionKey;
  const key = master.generationKeys?.get(generation);
  if (!key) throw new KeyGenerationError(object, generation, heldGenerations(master));
  return key;
}

/**
 * The key that wraps generations 2 and up: HKDF-SHA-256 of generation 1's 64 bytes (what the
 * slots wrap; salt: the repository id). Whoever opens a slot thus opens every generation. The
 * caller zeroes it.
 */
function generationWrapKey(base: MasterKey): Buffer {
  const bytes = masterBytes(base);
  const key = Buffer.from(hkdfSync('sha256', bytes, Buffer.from(base.repositoryId, 'utf8'), Buffer.from('arca-key-generations', 'utf8'), 32));
  bytes.fill(0);
  return key;
}

function generationAad(repositoryId: string, generation: number): Buffer {
  // binds a wrapped generation to its repository and number, so two cannot be swapped in the file
  return Buffer.from(`arca-key-generation:${repositoryId}:${generation}`);
}

/**
 * The key as it seals and opens after the key file's rotations: `base` is what a slot opened
 * (generation 1); the result seals under the newest generation and opens all of them. A wrapped
 * generation that does not authenticate is an error naming it (a damaged or altered key file).
 */
export function withGenerations(base: MasterKey, keyFile: KeyFile, name = `keys/${keyFile.repositoryId}`): MasterKey {
  const first = base.generationKeys?.get(1) ?? base.encryptionKey;
  const generationKeys = new Map<number, Buffer>([[1, first]]);
  const wrapKey = generationWrapKey(base);
  try {
    for (const g of keyFile.generations ?? []) {
      const data = Buffer.from(g.wrapped, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', wrapKey, Buffer.from(g.nonce, 'base64'));
      decipher.setAAD(generationAad(keyFile.repositoryId, g.generation));
      decipher.setAuthTag(data.subarray(data.length - 16));
      try {
        generationKeys.set(g.generation, Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]));
      } catch {
        throw new Error(`key file ${name}: key generation ${g.generation} does not authenticate under the repository key (the key file was altered or damaged)`);
      }
    }
  } finally {
    wrapKey.fill(0);
  }
  const generation = Math.max(...generationKeys.keys());
  return { encryptionKey: generationKeys.get(generation)!, idKey: base.idKey, repositoryId: base.repositoryId, cipher: keyFile.cipher, generation, generationKeys };
}

/**
 * A rotation: the key file with one more generation, a fresh random encryption key wrapped under
 * the generation-wrapping key of `key` (any generation of the repository's key: the wrap key
 * comes from generation 1). The chunk-id key is not rotated (chunk ids, and so dedupe, stay).
 */
export function rotateKeyFile(keyFile: KeyFile, key: MasterKey, now = new Date()): { keyFile: KeyFile; generation: KeyGeneration } {
  const generations = keyFile.generations ?? [];
  const number = generations.length + 2;
  if (number > MAX_GENERATION) throw new SlotError(`repository ${keyFile.repositoryId} has ${MAX_GENERATION} key generations, the most its sealed objects can name`);
  const fresh = randomBytes(32);
  const wrapKey = generationWrapKey(key);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrapKey, nonce);
  cipher.setAAD(generationAad(keyFile.repositoryId, number));
  const wrapped = Buffer.concat([cipher.update(fresh), cipher.final(), cipher.getAuthTag()]);
  fresh.fill(0);
  wrapKey.fill(0);
  const generation: KeyGeneration = { generation: number, createdAt: now.toISOString(), nonce: nonce.toString('base64'), wrapped: wrapped.toString('base64') };
  return { keyFile: { ...keyFile, generations: [...generations, generation] }, generation };
}

/** When each generation was made: generation 1 with the key file, the others by their rotation. */
export function generationDates(keyFile: KeyFile): Array<{ generation: number; createdAt: string }> {
  return [{ generation: 1, createdAt: keyFile.createdAt }, ...(keyFile.generations ?? []).map((g) => ({ generation: g.generation, createdAt: g.createdAt }))];
}

/** AES-256-GCM wrap of the master key under a 32-byte key (a passphrase's scrypt output, a local key). */
export function wrapWith(key: Buffer, master: MasterKey): { nonce: string; wrapped: string } {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(slotAad(master.repositoryId));
  const plain = masterBytes(master);
  const wrapped = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  plain.fill(0);
  return { nonce: nonce.toString('base64'), wrapped: wrapped.toString('base64') };
}

/** The master key a wrap opens to under `key`, or undefined when it does not authenticate (another key, or altered bytes). */
export function unwrapWith(key: Buffer, slot: { nonce: string; wrapped: string }, repositoryId: string, cipher: Cipher): MasterKey | undefined {
  const data = Buffer.from(slot.wrapped, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(slot.nonce, 'base64'));
  decipher.setAAD(slotAad(repositoryId));
  decipher.setAuthTag(data.subarray(data.length - 16));
  try {
    return masterFromBytes(Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]), repositoryId, cipher);
  } catch {
    return undefined;
  }
}

/** A master key over 64 unwrapped bytes (the two keys are views of them, so zeroing the key zeroes them). */
export function masterFromBytes(plain: Buffer, repositoryId: string, cipher: Cipher): MasterKey {
  if (plain.length !== MASTER_BYTES) throw new Error(`an unwrapped master key is ${plain.length} bytes, not ${MASTER_BYTES}`);
  return { encryptionKey: plain.subarray(0, 32), idKey: plain.subarray(32, 64), repositoryId, cipher };
}

/** A random slot id not yet in `taken`. */
export function newSlotId(taken: readonly KeySlot[]): string {
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!taken.some((s) => s.id === id)) return id;
  }
}

/** A passphrase slot for the master key. */
export function passphraseSlot(master: MasterKey, passphrase: string, label: string, kdfParams: KdfParams = DEFAULT_KDF, taken: readonly KeySlot[] = []): PassphraseSlot {
  const kdf: Kdf = { name: 'scrypt', ...kdfParams, salt: randomBytes(16).toString('base64') };
  const key = derive(passphrase, kdf);
  const wrapped = wrapWith(key, master);
  key.fill(0);
  return { id: newSlotId(taken), label, kind: 'passphrase', createdAt: new Date().toISOString(), kdf, ...wrapped };
}

/** A new random master key (its two keys are views of one 64-byte buffer). */
export function newMasterKey(cipher: Cipher = DEFAULT_CIPHER): MasterKey {
  return masterFromBytes(randomBytes(MASTER_BYTES), randomBytes(16).toString('hex'), cipher);
}

/** A key file for a master key, its first slot given. */
export function keyFileOf(master: MasterKey, first: KeySlot): KeyFile {
  return { version: 2, repositoryId: master.repositoryId, cipher: master.cipher ?? DEFAULT_CIPHER, slots: [first], createdAt: new Date().toISOString() };
}

/** A new repository: random master key, wrapped by the passphrase in one slot labelled `passphrase`. */
export function createKeyFile(passphrase: string, kdfParams: KdfParams = DEFAULT_KDF, cipher: Cipher = DEFAULT_CIPHER): { keyFile: KeyFile; masterKey: MasterKey } {
  const masterKey = newMasterKey(cipher);
  return { keyFile: keyFileOf(masterKey, passphraseSlot(masterKey, passphrase, 'passphrase', kdfParams)), masterKey };
}

/** The passphrase slot `passphrase` opens, with the key it opens to; undefined when none does. */
export function openPassphraseSlot(keyFile: KeyFile, passphrase: string): { masterKey: MasterKey; slot: PassphraseSlot } | undefined {
  for (const slot of keyFile.slots) {
    if (slot.kind !== 'passphrase') continue;
    const key = derive(passphrase, slot.kdf);
    const masterKey = unwrapWith(key, slot, keyFile.repositoryId, keyFile.cipher);
    key.fill(0);
    if (masterKey) return { masterKey, slot };
  }
  return undefined;
}

/**
 * Unwraps the master key with a passphrase, trying each passphrase slot; a wrong passphrase (or a
 * damaged file) fails authentication and says so, never yields garbage. `name` is where the key
 * file was read (errors name it). A version 1 key file is accepted as it was read (JSON.parse).
 */
export function openKeyFile(keyFile: KeyFile | LegacyKeyFile, passphrase: string, name = `keys/${keyFile?.repositoryId}`): MasterKey {
  const file = checkKeyFile(keyFile, name);
  const opened = openPassphraseSlot(file, passphrase);
  if (!opened) throw new WrongPassphraseError(file.repositoryId, name);
  return file.generations?.length ? withGenerations(opened.masterKey, file, name) : opened.masterKey;
}

/** Changes a passphrase: the slot it opens wrapped anew under the new one (same id and label), so no chunk is touched. */
export function rewrapKeyFile(keyFile: KeyFile | LegacyKeyFile, oldPassphrase: string, newPassphrase: string, name = `keys/${keyFile?.repositoryId}`): KeyFile {
  const file = checkKeyFile(keyFile, name);
  const opened = openPassphraseSlot(file, oldPassphrase);
  if (!opened) throw new WrongPassphraseError(file.repositoryId, name);
  const { N, r, p } = opened.slot.kdf;
  const fresh = passphraseSlot(opened.masterKey, newPassphrase, opened.slot.label, { N, r, p });
  zeroMasterKey(opened.masterKey);
  return { ...file, slots: file.slots.map((s) => (s.id === opened.slot.id ? { ...fresh, id: s.id } : s)) };
}

/** The key file with one more slot; its label must be new, and a key file holds at most MAX_SLOTS. */
export function addSlot(keyFile: KeyFile, slot: KeySlot): KeyFile {
  if (!SLOT_LABEL.test(slot.label)) throw new SlotError(`${SLOT_LABEL_RULE} (got ${JSON.stringify(slot.label)})`);
  if (keyFile.slots.some((s) => s.label === slot.label)) throw new SlotError(`repository ${keyFile.repositoryId} already has a key slot labelled "${slot.label}"`);
  if (keyFile.slots.length >= MAX_SLOTS) throw new SlotError(`repository ${keyFile.repositoryId} has ${MAX_SLOTS} key slots, the most a key file holds: revoke one first`);
  const id = keyFile.slots.some((s) => s.id === slot.id) ? newSlotId(keyFile.slots) : slot.id;
  return { ...keyFile, slots: [...keyFile.slots, { ...slot, id }] };
}

/** The slot a caller names: its id, or its label. */
export function findSlot(keyFile: KeyFile, given: string): KeySlot {
  const slot = keyFile.slots.find((s) => s.id === given) ?? keyFile.slots.find((s) => s.label === given);
  if (!slot) throw new SlotError(`repository ${keyFile.repositoryId} has no key slot "${given}" (give its id or label)`, 404);
  return slot;
}

/** The key file without the named slot; the last slot stays (without it nobody could open the repository). */
export function revokeSlot(keyFile: KeyFile, given: string): { keyFile: KeyFile; revoked: KeySlot } {
  const revoked = findSlot(keyFile, given);
  if (keyFile.slots.length === 1) throw new SlotError(`slot "${revoked.label}" is the last key slot of repository ${keyFile.repositoryId}: add another before revoking it`);
  return { keyFile: { ...keyFile, slots: keyFile.slots.filter((s) => s !== revoked) }, revoked };
}

export function slotSummary(slot: KeySlot): SlotSummary {
  const binding = slot.kind === 'vault-transit' ? `${slot.mount}/${slot.keyName}` : slot.kind === 'local-key' ? slot.keyId : undefined;
  return { id: slot.id, label: slot.label, kind: slot.kind, createdAt: slot.createdAt, ...(binding ? { binding } : {}) };
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
    key = { encryptionKey: master.encryptionKey, idKey, repositoryId: master.repositoryId, cipher: master.cipher, generation: master.generation, generationKeys: master.generationKeys };
    derived.set(tenant, key);
  }
  return key;
}

/**
 * Overwrites the key's bytes (and those of the tenant keys derived from it) with zeros: for a
 * service that stops. What Node cannot reach stays: the KeyObjects made from these buffers
 * (secret-keys.ts) hold copies inside OpenSSL until they are collected, and copies posted to
 * worker threads live until those threads end.
 */
export function zeroMasterKey(master: MasterKey): void {
  for (const derived of tenantKeys.get(master)?.values() ?? []) derived.idKey.fill(0);
  tenantKeys.delete(master);
  for (const key of master.generationKeys?.values() ?? []) key.fill(0);
  master.encryptionKey.fill(0);
  master.idKey.fill(0);
}
