import { createObjectStore, ObjectStore, objectStoreConfigFromEnv } from '@arca/object-store';
import { OBJECT_STORE } from '@arca/service-kit';
import { Inject, Injectable } from '@nestjs/common';
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
