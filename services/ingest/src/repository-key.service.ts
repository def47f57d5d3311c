import { createKeyFile, KeyFile, MasterKey, openKeyFile, rewrapKeyFile, WrongPassphraseError } from '@arca/datapath';
import { ObjectStore } from '@arca/object-store';
import { OBJECT_STORE } from '@arca/service-kit';
import { ForbiddenException, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';

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

  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  async onModuleInit(): Promise<void> {
    const passphrase = process.env.ARCA_PASSPHRASE ?? '';
    let keyFile = await this.firstKeyFile();
    if (!keyFile) {
      const created = createKeyFile(passphrase);
      await this.store.put(`${KEYS_PREFIX}${created.keyFile.repositoryId}`, Buffer.from(JSON.stringify(created.keyFile, null, 2)));
      // Two workers starting on an empty store may both create a key: all converge on the first
      // key file in key order, so every chunk is encrypted under the same master key.
      keyFile = (await this.firstKeyFile())!;
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
    const keyFile = (await this.firstKeyFile())!;
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

  private async firstKeyFile(): Promise<KeyFile | undefined> {
    const keys: string[] = [];
    for await (const item of this.store.list(KEYS_PREFIX)) keys.push(item.key);
    keys.sort();
    if (keys.length === 0) return undefined;
    return JSON.parse((await this.store.get(keys[0])).toString()) as KeyFile;
  }

  get key(): MasterKey {
    if (!this.masterKey) throw new Error('the repository is not unlocked yet');
    return this.masterKey;
  }
}
