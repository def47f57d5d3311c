import { createKeyFile, KeyFile, MasterKey, openKeyFile, parseKeyFile, rewrapKeyFile, tenantKey, WrongPassphraseError } from '@arca/datapath';
import { ObjectStore } from '@arca/object-store';
import { ForbiddenException, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { replicaConfigured, SiteStores } from './site-stores';

const KEYS_PREFIX = 'keys/';

/**
 * Unlocks the repository at start with ARCA_PASSPHRASE, creating the repository key on first use.
 * The key file lives in the object store beside the data it protects (wrapped, never in clear),
 * so a replica site can be opened with the same passphrase.
 */
@Injectable()
export class RepositoryKeyService implements OnModuleInit {
  private masterKey?: MasterKey;
  private readonly logger = new Logger('RepositoryKey');

  private readonly store: ObjectStore;

  constructor(private readonly sites: SiteStores) {
    this.store = sites.primary;
  }

  async onModuleInit(): Promise<void> {
    const passphrase = process.env.ARCA_PASSPHRASE ?? '';
    let keyFile: KeyFile | undefined;
    try {
      keyFile = await this.firstKeyFile(this.store);
    } catch (error) {
      // The primary site is gone: restores from the replica still need the key, which replication copied there.
      if (!replicaConfigured()) throw error;
      this.logger.warn(`primary site unreadable (${(error as Error).message}); unlocking the repository from the replica site`);
      keyFile = await this.firstKeyFile(this.sites.get('replica'));
      if (!keyFile) throw error;
    }
    if (!keyFile && replicaConfigured()) {
      // An empty primary beside a replica that holds a repository: a rebuilt primary site. Adopt
      // the replica's key rather than start a second, unrelated repository.
      const replicaKey = await this.firstKeyFile(this.sites.get('replica')).catch(() => undefined);
      if (replicaKey) {
        await this.store.put(`${KEYS_PREFIX}${replicaKey.repositoryId}`, Buffer.from(JSON.stringify(replicaKey, null, 2)));
        this.logger.log(`primary site had no repository key: adopted repository ${replicaKey.repositoryId} from the replica`);
        keyFile = replicaKey;
      }
    }
    if (!keyFile) {
      const created = createKeyFile(passphrase);
      await this.store.put(`${KEYS_PREFIX}${created.keyFile.repositoryId}`, Buffer.from(JSON.stringify(created.keyFile, null, 2)));
      // Two workers starting on an empty store may both create a key: all converge on the first
      // key file in key order, so every chunk is encrypted under the same master key.
      keyFile = (await this.firstKeyFile(this.store))!;
      this.logger.log(`created repository ${keyFile.repositoryId} in ${this.store.describe()}`);
    }
    this.masterKey = openKeyFile(keyFile, passphrase);
  }

  /**
   * Changes the passphrase: the same master key is wrapped anew and the key file replaced, so no
   * chunk, pack or manifest is touched. Other ingest workers keep their unlocked key; on their
   * next start they need the new passphrase (set ARCA_PASSPHRASE accordingly).
   */
  async changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<{ repositoryId: string }> {
    const keyFile = (await this.firstKeyFile(this.store))!;
    let rewrapped: KeyFile;
    try {
      rewrapped = rewrapKeyFile(keyFile, oldPassphrase, newPassphrase);
    } catch (error) {
      if (error instanceof WrongPassphraseError) throw new ForbiddenException(error.message);
      throw error;
    }
    await this.store.put(`${KEYS_PREFIX}${keyFile.repositoryId}`, Buffer.from(JSON.stringify(rewrapped, null, 2)));
    this.logger.log(`passphrase of repository ${keyFile.repositoryId} changed`);
    return { repositoryId: keyFile.repositoryId };
  }

  private async firstKeyFile(store: ObjectStore): Promise<KeyFile | undefined> {
    const keys: string[] = [];
    for await (const item of store.list(KEYS_PREFIX)) keys.push(item.key);
    keys.sort();
    if (keys.length === 0) return undefined;
    return parseKeyFile(await store.get(keys[0]), keys[0]);
  }

  /** The repository's key: `default`'s, and what repository-wide work (pack headers, prune) reads with. */
  get key(): MasterKey {
    if (!this.masterKey) throw new Error('the repository is not unlocked yet');
    return this.masterKey;
  }

  /** A tenant's key: the repository's encryption key and the tenant's own chunk-id key (tenantKey), so dedupe never crosses tenants. */
  keyFor(tenant: string): MasterKey {
    return tenantKey(this.key, tenant);
  }
}
