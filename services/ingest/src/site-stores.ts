import { createObjectStore, ObjectStore, objectStoreConfigFromEnv } from '@arca/object-store';
import { OBJECT_STORE } from '@arca/service-kit';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { RetryingReads } from './retrying-reads';
import { ONCE, Retry } from './transient-retry';

export type Site = 'primary' | 'replica';

/** Whether the environment names a replica site (REPLICA_OBJECT_STORE, REPLICA_S3_ENDPOINT or REPLICA_OBJECT_STORE_DIR). */
export function replicaConfigured(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.REPLICA_OBJECT_STORE || env.REPLICA_S3_ENDPOINT || env.REPLICA_OBJECT_STORE_DIR);
}

/**
 * The object stores of both sites. Replication writes the same keys at the replica (packs, key
 * files, manifests), so a restore can read either; the replica is opened on first use.
 */
@Injectable()
export class SiteStores {
  private replica?: ObjectStore;

  constructor(@Inject(OBJECT_STORE) readonly primary: ObjectStore) {}

  /**
   * Writes an object the catalogue depends on (a policy version, a snapshot's state) at the primary
   * and, when one is configured, at the replica, so either site's bucket alone can be recovered
   * from. A failure at the primary is the caller's; one at the replica is logged (the next change
   * of the same object writes it again).
   */
  async putEverywhere(key: string, body: Buffer): Promise<void> {
    await this.primary.put(key, body);
    if (!replicaConfigured()) return;
    try {
      await this.get('replica').put(key, body);
    } catch (error) {
      new Logger('SiteStores').warn(`${key} not stored at the replica: ${(error as Error).message}`);
    }
  }

  get(site: Site = 'primary'): ObjectStore {
    if (site === 'primary') return this.primary;
    if (!replicaConfigured()) throw new Error('no replica site is configured (set REPLICA_S3_ENDPOINT or REPLICA_OBJECT_STORE_DIR)');
    this.replica ??= createObjectStore(objectStoreConfigFromEnv(process.env, 'REPLICA_'));
    return this.replica;
  }

  /** A site's store whose reads go through `retry` (a job's: see RetryingReads). */
  reads(site: Site = 'primary', retry: Retry = ONCE): ObjectStore {
    const store = this.get(site);
    return retry === ONCE ? store : new RetryingReads(store, retry);
  }
}
