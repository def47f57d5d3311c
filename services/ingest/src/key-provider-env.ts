import { Cipher, CIPHERS, DEFAULT_CIPHER, KeyProvider, LocalKeyProvider, PassphraseProvider, SlotKind, VaultTransitProvider } from '@arca/datapath';
import { readFileSync } from 'node:fs';

/**
 * The key providers the ingest service's environment configures (validated at start, config.ts):
 * ARCA_KEY_PROVIDER says which one unlocks the repository; the others, when configured, may still
 * bind new slots (an admin adds a Vault slot to a repository unlocked by passphrase).
 */
export class KeyProviderEnv {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  get unlockKind(): SlotKind {
    return (this.env.ARCA_KEY_PROVIDER || 'passphrase') as SlotKind;
  }

  /** The cipher a repository created now seals with (ARCA_CIPHER); an existing repository keeps its own. */
  get cipher(): Cipher {
    const cipher = (this.env.ARCA_CIPHER || DEFAULT_CIPHER) as Cipher;
    if (!CIPHERS.includes(cipher)) throw new Error(`ARCA_CIPHER must be one of ${CIPHERS.join(', ')}`);
    return cipher;
  }

  /** The provider that unlocks the repository at start. */
  unlocking(): KeyProvider {
    const provider = this.provider(this.unlockKind, undefined);
    if (!provider) throw new Error(`ARCA_KEY_PROVIDER=${this.unlockKind} is not configured`);
    return provider;
  }

  /** A provider of `kind` as configured here (`vaultKey`: another Transit key on the same Vault); undefined when not configured. */
  provider(kind: SlotKind, vaultKey: string | undefined, passphrase = this.env.ARCA_PASSPHRASE): KeyProvider | undefined {
    if (kind === 'passphrase') return passphrase ? new PassphraseProvider(passphrase) : undefined;
    if (kind === 'local-key') {
      const file = this.env.ARCA_LOCAL_KEY_FILE;
      if (!file) return undefined;
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new Error(`ARCA_LOCAL_KEY_FILE ${file} cannot be read: ${(error as Error).message}`, { cause: error });
      }
      return LocalKeyProvider.fromFileBytes(bytes, `local key file ${file}`);
    }
    const { ARCA_VAULT_ADDR: address, ARCA_VAULT_TOKEN: token } = this.env;
    if (!address || !token) return undefined;
    return new VaultTransitProvider({
      address, token, keyName: vaultKey || this.env.ARCA_VAULT_TRANSIT_KEY || 'arca', mount: this.env.ARCA_VAULT_TRANSIT_MOUNT || 'transit', namespace: this.env.ARCA_VAULT_NAMESPACE || undefined,
    });
  }
}
