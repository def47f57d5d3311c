import { createHash } from 'node:crypto';
import {
  KeyFile, KeySlot, LocalKeySlot, MasterKey, masterBytes, masterFromBytes, newSlotId, NoSlotOpensError, openPassphraseSlot, passphraseSlot,
  KdfParams, SlotKind, unwrapWith, VAULT_NAME, VAULT_PATH, VaultTransitSlot, withGenerations, wrapWith, WrongPassphraseError,
} from './keys';

/**
 * Where a service gets the secret that unwraps the master key: a passphrase, a local key file,
 * or a KMS (HashiCorp Vault's Transit engine). A provider wraps the master key into a slot of its
 * kind and opens slots of its kind; the master key never leaves memory unwrapped.
 */
export interface KeyProvider {
  readonly kind: SlotKind;
  /** What the provider is, for logs and errors (never a secret). */
  describe(): string;
  /** A new slot, labelled, wrapping the master key. `taken`: the slots already in the key file. */
  wrap(master: MasterKey, label: string, taken: readonly KeySlot[]): Promise<KeySlot>;
  /** The master key this provider opens `slot` to, or undefined when the slot is not one it opens. */
  unwrap(slot: KeySlot, keyFile: KeyFile): Promise<MasterKey | undefined>;
}

/**
 * Unlocks a key file with a provider: the first slot of its kind that opens, the key it opens to
 * holding every generation of the key file (sealing under the newest, see withGenerations).
 */
export async function unlockKeyFile(keyFile: KeyFile, provider: KeyProvider, name = `keys/${keyFile.repositoryId}`): Promise<{ masterKey: MasterKey; slot: KeySlot }> {
  const { masterKey, slot } = await openSlot(keyFile, provider, name);
  return { masterKey: keyFile.generations?.length ? withGenerations(masterKey, keyFile, name) : masterKey, slot };
}

async function openSlot(keyFile: KeyFile, provider: KeyProvider, name: string): Promise<{ masterKey: MasterKey; slot: KeySlot }> {
  const candidates = keyFile.slots.filter((s) => s.kind === provider.kind);
  if (provider instanceof PassphraseProvider) {
    const opened = provider.open(keyFile);
    if (opened) return opened;
    throw new WrongPassphraseError(keyFile.repositoryId, name);
  }
  // A slot that fails (Vault refusing one Transit key) does not stop the others being tried.
  const failures: string[] = [];
  for (const slot of candidates) {
    try {
      const masterKey = await provider.unwrap(slot, keyFile);
      if (masterKey) return { masterKey, slot };
    } catch (error) {
      failures.push(`slot "${slot.label}": ${(error as Error).message}`);
    }
  }
  const tried = `${candidates.length} slot(s) of kind ${provider.kind}: ${candidates.map((s) => s.label).join(', ') || 'none'}`;
  throw new NoSlotOpensError(keyFile.repositoryId, name, `${provider.describe()} (${tried})${failures.length ? `; ${failures.join('; ')}` : ''}`);
}

/** Today's provider: scrypt of a passphrase (ARCA_PASSPHRASE). */
export class PassphraseProvider implements KeyProvider {
  readonly kind = 'passphrase' as const;

  constructor(private readonly passphrase: string, private readonly kdf?: KdfParams) {}

  describe(): string {
    return 'the passphrase';
  }

  async wrap(master: MasterKey, label: string, taken: readonly KeySlot[]): Promise<KeySlot> {
    return passphraseSlot(master, this.passphrase, label, this.kdf, taken);
  }

  open(keyFile: KeyFile): { masterKey: MasterKey; slot: KeySlot } | undefined {
    return openPassphraseSlot(keyFile, this.passphrase);
  }

  async unwrap(slot: KeySlot, keyFile: KeyFile): Promise<MasterKey | undefined> {
    if (slot.kind !== 'passphrase') return undefined;
    return openPassphraseSlot({ ...keyFile, slots: [slot] }, this.passphrase)?.masterKey;
  }
}

/**
 * A local key: 32 random bytes (a file of 32 raw bytes, or 44 characters of base64) that wrap the
 * master key with AES-256-GCM. For tests and single hosts; whoever reads the file can unwrap.
 */
export class LocalKeyProvider implements KeyProvider {
  readonly kind = 'local-key' as const;
  readonly keyId: string;

  constructor(private readonly key: Buffer, private readonly source = 'a local key') {
    if (key.length !== 32) throw new Error(`${source}: a local key is 32 bytes (raw, or base64), not ${key.length}`);
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /** The key in a file's bytes: 32 raw bytes, or their base64 (whitespace around it ignored). */
  static fromFileBytes(bytes: Buffer, source: string): LocalKeyProvider {
    const text = bytes.toString('latin1').trim();
    const key = bytes.length === 32 ? Buffer.from(bytes) : /^[A-Za-z0-9+/]{43}=$/.test(text) ? Buffer.from(text, 'base64') : bytes;
    return new LocalKeyProvider(key, source);
  }

  describe(): string {
    return `${this.source} (key id ${this.keyId})`;
  }

  async wrap(master: MasterKey, label: string, taken: readonly KeySlot[]): Promise<LocalKeySlot> {
    return { id: newSlotId(taken), label, kind: 'local-key', createdAt: new Date().toISOString(), keyId: this.keyId, ...wrapWith(this.key, master) };
  }

  async unwrap(slot: KeySlot, keyFile: KeyFile): Promise<MasterKey | undefined> {
    if (slot.kind !== 'local-key' || slot.keyId !== this.keyId) return undefined;
    return unwrapWith(this.key, slot, keyFile.repositoryId, keyFile.cipher);
  }

  /** Overwrites the local key in memory (a service that stops). */
  zero(): void {
    this.key.fill(0);
  }
}

export interface VaultTransitOptions {
  /** Vault's address, `https://vault.example.com:8200`. */
  address: string;
  token: string;
  /** The Transit engine's mount path; default `transit`. */
  mount?: string;
  /** The Transit key new slots are wrapped with. */
  keyName: string;
  /** Vault Enterprise namespace (X-Vault-Namespace). */
  namespace?: string;
  /** How long one call may take; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * HashiCorp Vault's Transit engine as a KMS: the master key is wrapped by
 * `POST /v1/<mount>/encrypt/<key>` and unwrapped by `POST /v1/<mount>/decrypt/<key>` (JSON bodies,
 * `plaintext` in base64, `X-Vault-Token`), so the wrapping key never leaves Vault and revoking the
 * service's Vault policy stops it from opening the repository. The plaintext wrapped is the
 * repository id (16 bytes) and the 64 bytes of keys, so a ciphertext of another repository's key
 * (or of anything else) is refused.
 */
export class VaultTransitProvider implements KeyProvider {
  readonly kind = 'vault-transit' as const;
  private readonly mount: string;
  private readonly base: string;

  constructor(private readonly options: VaultTransitOptions) {
    this.mount = options.mount ?? 'transit';
    if (!VAULT_PATH.test(this.mount)) throw new Error(`Vault Transit mount ${JSON.stringify(this.mount)} is not a path of letters, digits, _ and -`);
    if (!VAULT_NAME.test(options.keyName)) throw new Error(`Vault Transit key name ${JSON.stringify(options.keyName)} is not 1-128 letters, digits, _ . -`);
    this.base = options.address.replace(/\/+$/, '');
  }

  describe(): string {
    return `Vault Transit key ${this.mount}/${this.options.keyName} at ${this.base}`;
  }

  /** Another key name on the same Vault (a slot an admin binds to another Transit key). */
  withKey(keyName: string): VaultTransitProvider {
    return new VaultTransitProvider({ ...this.options, keyName });
  }

  async wrap(master: MasterKey, label: string, taken: readonly KeySlot[]): Promise<VaultTransitSlot> {
    const plain = Buffer.concat([Buffer.from(master.repositoryId, 'hex'), masterBytes(master)]);
    const body = { plaintext: plain.toString('base64') };
    plain.fill(0);
    const answer = await this.call('encrypt', this.options.keyName, body);
    const ciphertext = answer.ciphertext;
    if (typeof ciphertext !== 'string' || !/^vault:v\d+:/.test(ciphertext)) throw new Error(`${this.describe()}: encrypt answered no ciphertext`);
    return { id: newSlotId(taken), label, kind: 'vault-transit', createdAt: new Date().toISOString(), mount: this.mount, keyName: this.options.keyName, ciphertext };
  }

  async unwrap(slot: KeySlot, keyFile: KeyFile): Promise<MasterKey | undefined> {
    if (slot.kind !== 'vault-transit' || slot.mount !== this.mount) return undefined;
    const answer = await this.call('decrypt', slot.keyName, { ciphertext: slot.ciphertext });
    if (typeof answer.plaintext !== 'string') throw new Error(`${this.describe()}: decrypt answered no plaintext`);
    const plain = Buffer.from(answer.plaintext, 'base64');
    const repository = plain.subarray(0, 16).toString('hex');
    if (plain.length !== 80 || repository !== keyFile.repositoryId) {
      plain.fill(0);
      throw new Error(`${this.describe()}: slot "${slot.label}" decrypts to something other than repository ${keyFile.repositoryId}'s key (the key file was altered)`);
    }
    const masterKey = masterFromBytes(Buffer.from(plain.subarray(16)), keyFile.repositoryId, keyFile.cipher);
    plain.fill(0);
    return masterKey;
  }

  private async call(operation: 'encrypt' | 'decrypt', keyName: string, body: Record<string, string>): Promise<Record<string, unknown>> {
    const url = `${this.base}/v1/${this.mount}/${operation}/${encodeURIComponent(keyName)}`;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-vault-token': this.options.token };
    if (this.options.namespace) headers['x-vault-namespace'] = this.options.namespace;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      throw new Error(`Vault at ${this.base} unreachable for ${operation} with key ${this.mount}/${keyName}: ${(error as Error).message}`, { cause: error });
    }
    const answer = (await response.json().catch(() => undefined)) as { data?: Record<string, unknown>; errors?: unknown[] } | undefined;
    if (!response.ok) {
      const errors = Array.isArray(answer?.errors) && answer.errors.length > 0 ? answer.errors.join('; ') : response.statusText;
      throw new Error(`Vault ${operation} with key ${this.mount}/${keyName} answered ${response.status}: ${errors}`);
    }
    if (!answer?.data || typeof answer.data !== 'object') throw new Error(`Vault ${operation} with key ${this.mount}/${keyName} answered ${response.status} without a data object`);
    return answer.data;
  }
}
