import {
  addSlot, crossesNonceWarning, generationDates, isPackKey, KeyFile, keyFileOf, KeyProvider, KeySlot, LocalKeyProvider, masterBytes, MasterKey, newMasterKey,
  nonceBudget, NonceBudget, NONCE_WARN_FRACTION, openPassphraseSlot, parseKeyFile, revokeSlot, rewrapKeyFile, rotateKeyFile, sealedGeneration, serializeKeyFile,
  SlotError, slotSummary, SlotSummary, tenantKey, unlockKeyFile, withGenerations, WrongPassphraseError, zeroMasterKey,
} from '@arca/datapath';
import { AddKeySlotRequest } from '@arca/contracts';
import { qualifiedTable } from '@arca/persistence';
import {
  BadGatewayException, BadRequestException, ConflictException, ForbiddenException, Injectable, Logger, NotFoundException, OnModuleDestroy, OnModuleInit, Optional,
} from '@nestjs/common';
import { ObjectStore } from '@arca/object-store';
import { DataSource } from 'typeorm';
import { KeyGenerationUsageEntity } from './entities/key-generation-usage.entity';
import { KeyProviderEnv } from './key-provider-env';
import { replicaConfigured, SiteStores } from './site-stores';

const KEYS_PREFIX = 'keys/';

/** One master key generation as GET /repository/keys reports it. */
export interface GenerationReport {
  generation: number;
  createdAt: string;
  /** Whether new objects are sealed under it (the newest). */
  current: boolean;
  /** Packs in the primary store whose seal names this generation, and their bytes. */
  packs: number;
  bytes: number;
  /** Messages sealed under it so far, against the 2^32 bound of random 96-bit nonces. */
  nonces: NonceBudget;
}

/** Packs whose first bytes are read at once when the report scans the store. */
const SCAN_PARALLEL = 16;
/** Seal header bytes that name a generation: format, flags, uint16 generation. */
const GENERATION_PROBE = 4;

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

  /** `dataSource`: the ingest schema, where key file changes take a lock shared by every worker and seals are counted (absent in unit tests). */
  constructor(private readonly sites: SiteStores, @Optional() private readonly dataSource?: DataSource) {
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
    this.logger.log(`repository ${keyFile.repositoryId} unlocked with key slot "${slot.label}" (${slot.kind}, ${slot.id}), sealing under key generation ${masterKey.generation ?? 1}`);
  }

  /**
   * Takes the generations another worker added (`arca keys rotate`): every job calls it when it
   * starts, so a backup that starts after a rotation seals under the new generation whichever
   * worker runs it. One small GET; the new generations are unwrapped with the key already held
   * (no provider secret is needed again). A job already running keeps the key it started with:
   * its objects name their generation, so they stay readable.
   */
  async refresh(): Promise<void> {
    if (!this.masterKey) return;
    try {
      const keyFile = await this.current();
      if (keyFile.repositoryId === this.masterKey.repositoryId) this.adopt(keyFile);
    } catch (error) {
      // The key held still opens every object it knows and seals validly; an object of a newer
      // generation would fail naming its generation (KeyGenerationError).
      this.logger.warn(`could not read the key file again (${(error as Error).message}); going on with key generation ${this.masterKey.generation ?? 1}`);
    }
  }

  private adopt(keyFile: KeyFile): void {
    const newest = (keyFile.generations?.length ?? 0) + 1;
    if (newest <= (this.key.generation ?? 1)) return;
    // The old key object is not zeroed: jobs still running hold it (and share its buffers).
    this.masterKey = withGenerations(this.key, keyFile);
    this.logger.log(`repository ${keyFile.repositoryId}: new objects are sealed under key generation ${newest}`);
  }

  /**
   * A new master key generation: new chunks, packs and manifests are sealed under it from the next
   * job on (every worker, see refresh); older objects keep naming theirs and stay readable. The
   * chunk-id key stays, so dedupe carries on across the rotation.
   */
  rotate(): Promise<{ repositoryId: string; generation: number; createdAt: string; previous: number }> {
    return this.change(async (keyFile) => {
      this.adopt(keyFile);
      const previous = this.key.generation ?? 1;
      const { keyFile: rotated, generation } = slotCall(() => rotateKeyFile(keyFile, this.key));
      await this.write(rotated);
      this.adopt(rotated);
      this.logger.log(`repository ${keyFile.repositoryId}: master key rotated from generation ${previous} to ${generation.generation}`);
      return { repositoryId: keyFile.repositoryId, generation: generation.generation, createdAt: generation.createdAt, previous };
    });
  }

  /**
   * Counts `count` messages sealed under `generation` (a pack's chunks and header, a manifest),
   * in the ingest schema every worker shares; warns once when the generation passes half its
   * nonce budget.
   */
  async countSealed(generation: number | undefined, count: number): Promise<void> {
    if (!this.dataSource || !this.masterKey || generation === undefined || count <= 0) return;
    const table = qualifiedTable(this.dataSource, KeyGenerationUsageEntity);
    let rows: Array<{ sealed: string }>;
    try {
      rows = await this.dataSource.query(
        `INSERT INTO ${table} AS u (repository_id, generation, sealed) VALUES ($1, $2, $3)
         ON CONFLICT (repository_id, generation) DO UPDATE SET sealed = u.sealed + EXCLUDED.sealed, updated_at = now() RETURNING sealed`,
        [this.masterKey.repositoryId, generation, count],
      );
    } catch (error) {
      // bookkeeping: a backup does not fail for it, but the count is short by this much
      this.logger.warn(`could not count ${count} message(s) sealed under key generation ${generation}: ${(error as Error).message}`);
      return;
    }
    const after = Number(rows[0]?.sealed ?? count);
    if (crossesNonceWarning(after - count, count)) {
      this.logger.warn(`repository ${this.masterKey.repositoryId}: key generation ${generation} has sealed ${after} messages, ${NONCE_WARN_FRACTION * 100}% of the 2^32 random-nonce bound (NIST SP 800-38D): rotate the master key now (arca keys rotate)`);
    }
  }

  /** Counts the seals of a stored pack: each chunk and the header, under the generation its first bytes name. */
  countPack(bytes: Buffer, chunks: number): Promise<void> {
    return this.countSealed(sealedGeneration(bytes), chunks + 1);
  }

  /**
   * Each generation: when it was made, the packs (and bytes) still sealed under it, and its nonce
   * budget. The packs are found by reading the first bytes of every pack in the primary store
   * (ranged reads, SCAN_PARALLEL at a time): exact, at the cost of one small read per pack.
   */
  async keysReport(): Promise<{ repositoryId: string; cipher: string; currentGeneration: number; idKeyRotated: false; generations: GenerationReport[]; rotate: boolean }> {
    await this.refresh();
    const keyFile = await this.current();
    const usage = new Map<number, number>();
    if (this.dataSource) {
      const table = qualifiedTable(this.dataSource, KeyGenerationUsageEntity);
      const rows: Array<{ generation: number; sealed: string }> = await this.dataSource.query(`SELECT generation, sealed FROM ${table} WHERE repository_id = $1`, [keyFile.repositoryId]);
      for (const row of rows) usage.set(Number(row.generation), Number(row.sealed));
    }
    const packs = new Map<number, { packs: number; bytes: number }>();
    const objects: Array<{ key: string; size: number }> = [];
    for await (const item of this.store.list('data/')) if (isPackKey(item.key)) objects.push(item);
    for (let i = 0; i < objects.length; i += SCAN_PARALLEL) {
      await Promise.all(objects.slice(i, i + SCAN_PARALLEL).map(async (object) => {
        const generation = sealedGeneration(await this.store.getRange(object.key, 0, Math.min(GENERATION_PROBE, object.size)));
        if (generation === undefined) return; // not a sealed pack (damage): arca check reports it
        const at = packs.get(generation) ?? { packs: 0, bytes: 0 };
        at.packs++;
        at.bytes += object.size;
        packs.set(generation, at);
      }));
    }
    const dates = generationDates(keyFile);
    const current = dates[dates.length - 1].generation;
    const generations = dates.map(({ generation, createdAt }) => ({
      generation, createdAt, current: generation === current, packs: packs.get(generation)?.packs ?? 0, bytes: packs.get(generation)?.bytes ?? 0, nonces: nonceBudget(usage.get(generation) ?? 0),
    }));
    return { repositoryId: keyFile.repositoryId, cipher: keyFile.cipher, currentGeneration: current, idKeyRotated: false, generations, rotate: generations[generations.length - 1].nonces.rotate };
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
        if (!back || !masterBytes(back).equals(masterBytes(this.key))) throw new Error(`the new slot does not open again with ${provider.describe()}`);
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

  /**
   * Key file changes one at a time: in this process (the chain), and across ingest workers (a
   * Postgres advisory lock held while the file is read, changed and written). Without it a slot
   * added on one worker while another rotates could write back the file without the new
   * generation, and what was sealed under it would be lost.
   */
  private change<T>(work: (keyFile: KeyFile) => Promise<T>): Promise<T> {
    const locked = async () => {
      if (!this.dataSource) return work(await this.current());
      return this.dataSource.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, ['arca-ingest:key-file']);
        return work(await this.current());
      });
    };
    const run = this.changing.then(locked);
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

