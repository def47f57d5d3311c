import {
  addSlot, KeyFile, keyFileOf, KeyProvider, KeySlot, LocalKeyProvider, MasterKey, newMasterKey, openPassphraseSlot, parseKeyFile, revokeSlot,
  rewrapKeyFile, serializeKeyFile, SlotError, slotSummary, SlotSummary, tenantKey, unlockKeyFile, WrongPassphraseError, zeroMasterKey,
} from '@arca/datapath';
import { AddKeySlotRequest } from '@arca/contracts';
import { BadGatewayException, BadRequestException, ConflictException, ForbiddenException, Injectable, Logger, NotFoundException, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ObjectStore } from '@arca/object-store';
import { KeyProviderEnv } from './key-provider-env';
import { replicaConfigured, SiteStores } from './site-stores';

const KEYS_PREFIX = 'keys/';

/** A slot as the API lists it: whether it is the one this worker unlocked the repository with. */
export interface ListedSlot extends SlotSummary {
  unlockedHere: boolean;
}

/**
 * Unlocks the repository at start through the configured key provider (ARCA_KEY_PROVIDER:
 * a passphrase, a local key file, or HashiCorp Vault Transit), creating the repository key on
 * first use. The key file lives in the object store beside the data it protects (wrapped once per
 * slot, never in clear), so a replica site can be opened with the same secrets. The unwrapped key
 * is zeroed when the service stops.
 */
@Injectable()
export class RepositoryKeyService implements OnModuleInit, OnModuleDestroy {
  private masterKey?: MasterKey;
  private unlockedSlot?: string;
  private readonly logger = new Logger('RepositoryKey');
  private readonly store: ObjectStore;
  private readonly providers = new KeyProviderEnv();
  /** Key file changes in this process, one after another (read, change, write). */
  private changing: Promise<unknown> = Promise.resolve();

  constructor(private readonly sites: SiteStores) {
    this.store = sites.primary;
  }

  async onModuleInit(): Promise<void> {
    const provider = this.providers.unlocking();
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
        await this.write(replicaKey);
        this.logger.log(`primary site had no repository key: adopted repository ${replicaKey.repositoryId} from the replica`);
        keyFile = replicaKey;
      }
    }
    if (!keyFile) {
      const master = newMasterKey(this.providers.cipher);
      const created = keyFileOf(master, await provider.wrap(master, provider.kind, []));
      zeroMasterKey(master);
      await this.write(created);
      // Two workers starting on an empty store may both create a key: all converge on the first
      // key file in key order, so every chunk is encrypted under the same master key.
      keyFile = (await this.firstKeyFile(this.store))!;
      this.logger.log(`created repository ${keyFile.repositoryId} (${keyFile.cipher}) in ${this.store.describe()}`);
    }
    const { masterKey, slot } = await unlockKeyFile(keyFile, provider).finally(() => {
      if (provider instanceof LocalKeyProvider) provider.zero(); // read again from its file when a slot is added
    });
    this.masterKey = masterKey;
    this.unlockedSlot = slot.id;
    this.logger.log(`repository ${keyFile.repositoryId} unlocked with key slot "${slot.label}" (${slot.kind}, ${slot.id})`);
  }

  /** Zeroes the unwrapped key where Node allows (the buffers; not OpenSSL's copies). */
  onModuleDestroy(): void {
    if (this.masterKey) zeroMasterKey(this.masterKey);
    this.masterKey = undefined;
  }

  /**
   * Changes a passphrase: the slot it opens is wrapped anew and the key file replaced, so no
   * chunk, pack or manifest is touched. Other ingest workers keep their unlocked key; on their
   * next start they need the new passphrase (set ARCA_PASSPHRASE accordingly).
   */
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<{ repositoryId: string }> {
    return this.change(async (keyFile) => {
      let rewrapped: KeyFile;
      try {
        rewrapped = rewrapKeyFile(keyFile, oldPassphrase, newPassphrase);
      } catch (error) {
        if (error instanceof WrongPassphraseError) throw new ForbiddenException(error.message);
        throw error;
      }
      await this.write(rewrapped);
      this.logger.log(`passphrase of repository ${keyFile.repositoryId} changed`);
      return { repositoryId: keyFile.repositoryId };
    });
  }

  async listSlots(): Promise<{ repositoryId: string; cipher: string; slots: ListedSlot[] }> {
    const keyFile = await this.current();
    return { repositoryId: keyFile.repositoryId, cipher: keyFile.cipher, slots: keyFile.slots.map((s) => this.listed(s)) };
  }

  /**
   * Adds a slot: the unlocked master key wrapped by the new slot's passphrase, this worker's local
   * key, or a Vault Transit key, and opened again through it before the key file is written. While
   * the repository has a passphrase slot, `currentPassphrase` must open one of them.
   */
  addSlot(request: AddKeySlotRequest): Promise<{ repositoryId: string; slot: ListedSlot }> {
    return this.change(async (keyFile) => {
      if (keyFile.slots.some((s) => s.kind === 'passphrase')) {
        const opened = request.currentPassphrase ? openPassphraseSlot(keyFile, request.currentPassphrase) : undefined;
        if (!opened) throw new ForbiddenException(`currentPassphrase must be the passphrase of one of repository ${keyFile.repositoryId}'s passphrase slots to add a slot`);
        zeroMasterKey(opened.masterKey);
      }
      const provider = this.providerFor(request);
      let slot: KeySlot;
      try {
        slot = await provider.wrap(this.key, request.label, keyFile.slots);
        const back = await provider.unwrap(slot, keyFile);
        if (!back || !back.encryptionKey.equals(this.key.encryptionKey)) throw new Error(`the new slot does not open again with ${provider.describe()}`);
        zeroMasterKey(back);
      } catch (error) {
        throw new BadGatewayException(`could not wrap the repository key with ${provider.describe()}: ${(error as Error).message}`);
      }
      const changed = slotCall(() => addSlot(keyFile, slot));
      await this.write(changed);
      const added = changed.slots[changed.slots.length - 1];
      this.logger.log(`key slot "${added.label}" (${added.kind}, ${added.id}) added to repository ${keyFile.repositoryId}`);
      return { repositoryId: keyFile.repositoryId, slot: this.listed(added) };
    });
  }

  /** Revokes a slot (by id or label): the key file is written again without it. The last slot stays. */
  revokeSlot(given: string): Promise<{ repositoryId: string; slot: ListedSlot; remaining: number }> {
    return this.change(async (keyFile) => {
      const { keyFile: changed, revoked } = slotCall(() => revokeSlot(keyFile, given));
      await this.write(changed);
      this.logger.log(`key slot "${revoked.label}" (${revoked.kind}, ${revoked.id}) revoked from repository ${keyFile.repositoryId}`);
      return { repositoryId: keyFile.repositoryId, slot: this.listed(revoked), remaining: changed.slots.length };
    });
  }

  private providerFor(request: AddKeySlotRequest): KeyProvider {
    const provider = this.providers.provider(request.kind, request.vaultKey, request.kind === 'passphrase' ? request.passphrase : undefined);
    if (provider) return provider;
    const needs = request.kind === 'local-key' ? 'ARCA_LOCAL_KEY_FILE' : request.kind === 'vault-transit' ? 'ARCA_VAULT_ADDR and ARCA_VAULT_TOKEN' : 'passphrase';
    throw new BadRequestException(`a ${request.kind} slot needs ${needs}${request.kind === 'passphrase' ? '' : ' set on the ingest service'}`);
  }

  private listed(slot: KeySlot): ListedSlot {
    return { ...slotSummary(slot), unlockedHere: slot.id === this.unlockedSlot };
  }

  private change<T>(work: (keyFile: KeyFile) => Promise<T>): Promise<T> {
    const run = this.changing.then(async () => work(await this.current()));
    this.changing = run.catch(() => undefined);
    return run;
  }

  private async current(): Promise<KeyFile> {
    const keyFile = await this.firstKeyFile(this.store);
    if (!keyFile) throw new Error(`no repository key file in ${this.store.describe()}`);
    return keyFile;
  }

  private write(keyFile: KeyFile): Promise<void> {
    return this.store.put(`${KEYS_PREFIX}${keyFile.repositoryId}`, serializeKeyFile(keyFile));
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

/** A slot change the key file refuses, as the HTTP answer that says why. */
function slotCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof SlotError) throw error.status === 404 ? new NotFoundException(error.message) : new ConflictException(error.message);
    throw error;
  }
}

