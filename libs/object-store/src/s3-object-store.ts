import { Client } from 'minio';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  assertValidKey, assertValidLock, assertValidRange, DeleteOptions, ObjectLock, ObjectLockedError, ObjectLockUnsupportedError, ObjectNotFoundError, ObjectStore, PutOptions,
} from './object-store';

export interface S3Config {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
  /** S3_OBJECT_LOCK=true: create the bucket with object lock, and refuse to use an existing one without it. */
  objectLock?: boolean;
}

/**
 * The PUT headers of a locked object. Sent by hand rather than through putObject's metadata: the
 * minio client (8.x, `prependXAMZMeta`) prefixes every header it does not know with `x-amz-meta-`,
 * so `x-amz-object-lock-mode` would arrive as user metadata and lock nothing.
 */
export function objectLockHeaders(lock: ObjectLock): Record<string, string> {
  return { 'x-amz-object-lock-mode': lock.mode.toUpperCase(), 'x-amz-object-lock-retain-until-date': lock.retainUntil.toISOString() };
}

/**
 * How S3 servers say "no lock here" rather than failing: an object written without retention
 * (NoSuchObjectLockConfiguration), a bucket without object lock (ObjectLockConfigurationNotFoundError),
 * and a server without the feature at all (s3rver answers NotImplemented).
 */
function isNoLock(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NoSuchObjectLockConfiguration' || code === 'ObjectLockConfigurationNotFoundError' || code === 'NotImplemented';
}

/** A lock-enabled bucket is versioned; an object overwritten by retried puts has a few versions, never this many. */
const MAX_VERSIONS_DELETED = 100;

/**
 * The minio client refuses nothing up to 5 TiB but switches to multipart uploads above its part
 * size (64 MiB), which s3rver does not implement; Arca's objects (packs of a few MB to tens of MB,
 * manifests) stay below it, and a larger one is refused here with a clear error instead.
 */
export const MAX_SINGLE_PUT = 64 * 1024 * 1024 - 1;

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchObject';
}

/** S3 answers a range starting at or past the end with 416 InvalidRange; the interface returns an empty buffer there. */
function isInvalidRange(error: unknown): boolean {
  return (error as { code?: string }).code === 'InvalidRange';
}

/** S3 through the minio client: MinIO in production, s3rver in development. Single PUTs are atomic in S3. */
export class S3ObjectStore implements ObjectStore {
  private readonly client: Client;
  private bucketReady?: Promise<void>;
  private lockSupport?: Promise<boolean>;

  constructor(private readonly config: S3Config) {
    const url = new URL(config.endpoint);
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      useSSL: url.protocol === 'https:',
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region,
      // Path-style (http://host:port/bucket/key): s3rver and a MinIO behind one hostname have no per-bucket DNS.
      pathStyle: true,
    });
  }

  /** Says which store and which operation failed; the minio client's own messages name neither. */
  private failure(operation: string, error: unknown): Error {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`${this.describe()}: ${operation} failed: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`, { cause: error });
  }

  /** Creates the bucket on first use, so a fresh MinIO or s3rver needs no manual setup. */
  private ready(): Promise<void> {
    this.bucketReady ??= (async () => {
      if (!(await this.client.bucketExists(this.config.bucket))) {
        try {
          await this.client.makeBucket(this.config.bucket, this.config.region, this.config.objectLock ? { ObjectLocking: true } : undefined);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
        }
      }
      // Object lock can only be chosen when a bucket is created (on MinIO; AWS can turn it on for a
      // versioned bucket): a bucket without it cannot be fixed from here, so say so at start.
      if (this.config.objectLock && !(await this.lockEnabledOnBucket())) {
        throw new Error(`S3_OBJECT_LOCK=true but the bucket has no object lock; create a bucket with object lock (\`mc mb --with-lock\`) and point S3_BUCKET at it`);
      }
    })().catch((error) => {
      // Not cached: the next call tries again (the store may simply not be up yet).
      this.bucketReady = undefined;
      throw this.failure('opening the bucket', error);
    });
    return this.bucketReady;
  }

  private async lockEnabledOnBucket(): Promise<boolean> {
    try {
      // The typings' first overload of getObjectLockConfig returns void; the call returns the parsed configuration.
      const config = (await (this.client.getObjectLockConfig(this.config.bucket) as unknown as Promise<{ objectLockEnabled?: string }>));
      return config.objectLockEnabled === 'Enabled';
    } catch (error) {
      if (isNoLock(error)) return false;
      throw error;
    }
  }

  /** Asked once per process: a bucket's object lock is fixed when the bucket is created. */
  supportsObjectLock(): Promise<boolean> {
    this.lockSupport ??= this.ready().then(() => this.lockEnabledOnBucket()).catch((error) => {
      this.lockSupport = undefined;
      throw error instanceof Error && error.message.startsWith(this.describe()) ? error : this.failure('reading the object lock configuration', error);
    });
    return this.lockSupport;
  }

  async put(key: string, body: Buffer, options: PutOptions = {}): Promise<void> {
    assertValidKey(key);
    if (body.length > MAX_SINGLE_PUT) {
      throw new Error(`object "${key}" is ${body.length} bytes; ${this.describe()} takes objects under 64 MiB (one single-part PUT, which s3rver requires)`);
    }
    await this.ready();
    if (options.lock) return this.putLocked(key, body, options.lock);
    try {
      // The size makes the client send one PUT with Content-Length instead of a multipart upload.
      await this.client.putObject(this.config.bucket, key, body, body.length);
    } catch (error) {
      throw this.failure(`put "${key}"`, error);
    }
  }

  /**
   * One PUT carrying the object and its lock, so the object is never stored unlocked (a put then a
   * PutObjectRetention would leave it so if the second failed). S3 requires Content-MD5 (or a
   * checksum) on a PUT with object lock headers.
   */
  private async putLocked(key: string, body: Buffer, lock: ObjectLock): Promise<void> {
    assertValidLock(key, lock, new Date());
    if (!(await this.supportsObjectLock())) {
      throw new ObjectLockUnsupportedError(this.describe(), 'the bucket was created without object lock, or the server lacks it, as s3rver does');
    }
    try {
      await this.client.makeRequestAsyncOmit({
        method: 'PUT', bucketName: this.config.bucket, objectName: key,
        headers: { ...objectLockHeaders(lock), 'Content-MD5': createHash('md5').update(body).digest('base64') },
      }, body, [200]);
    } catch (error) {
      throw this.failure(`put "${key}" with object lock`, error);
    }
  }

  /** One version's retention (the current one without a version id); null when it has none. */
  private async retentionOf(key: string, versionId?: string): Promise<ObjectLock | null> {
    let retention;
    try {
      retention = await this.client.getObjectRetention(this.config.bucket, key, versionId ? { versionId } : undefined);
    } catch (error) {
      // An object written without a lock answers NoSuchObjectLockConfiguration: not locked, not a failure.
      if (isNoLock(error) || isNotFound(error)) return null;
      throw this.failure(`read the object lock of "${key}"`, error);
    }
    if (!retention?.retainUntilDate) return null;
    const retainUntil = new Date(retention.retainUntilDate);
    if (Number.isNaN(retainUntil.getTime())) throw new Error(`${this.describe()}: object "${key}" has an unreadable retain-until date "${retention.retainUntilDate}"`);
    // A mode this code does not know is read as the stricter one: never as deletable.
    return { mode: String(retention.mode).toUpperCase() === 'GOVERNANCE' ? 'governance' : 'compliance', retainUntil };
  }

  async lockedUntil(key: string): Promise<Date | null> {
    assertValidKey(key);
    // A bucket without object lock holds no locked object, and asking each object would cost a
    // request (and on s3rver only a NotImplemented).
    if (!(await this.supportsObjectLock())) return null;
    return (await this.retentionOf(key))?.retainUntil ?? null;
  }

  async get(key: string): Promise<Buffer> {
    assertValidKey(key);
    await this.ready();
    try {
      return await collect(await this.client.getObject(this.config.bucket, key));
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key, this.describe());
      throw this.failure(`get "${key}"`, error);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    assertValidKey(key);
    assertValidRange(key, offset, length);
    await this.ready();
    if (length === 0) {
      // The client reads length 0 as "to the end"; an empty range only needs the object to exist.
      if (!(await this.stat(key))) throw new ObjectNotFoundError(key, this.describe());
      return Buffer.alloc(0);
    }
    try {
      return await collect(await this.client.getPartialObject(this.config.bucket, key, offset, length));
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key, this.describe());
      if (isInvalidRange(error)) {
        if (!(await this.stat(key))) throw new ObjectNotFoundError(key, this.describe());
        return Buffer.alloc(0);
      }
      throw this.failure(`get range ${offset}+${length} of "${key}"`, error);
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertValidKey(key);
    await this.ready();
    try {
      return { size: (await this.client.statObject(this.config.bucket, key)).size };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.failure(`stat "${key}"`, error);
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    await this.ready();
    try {
      for await (const item of this.client.listObjectsV2(this.config.bucket, prefix, true)) {
        if (item.name) yield { key: item.name, size: item.size };
      }
    } catch (error) {
      throw this.failure(`list "${prefix}"`, error);
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    assertValidKey(key);
    await this.ready();
    if (await this.supportsObjectLock()) return this.deleteVersions(key, options);
    try {
      await this.client.removeObject(this.config.bucket, key);
    } catch (error) {
      if (isNotFound(error)) return;
      throw this.failure(`delete "${key}"`, error);
    }
  }

  /**
   * A lock-enabled bucket is versioned, where a plain DELETE only adds a delete marker: the object
   * would vanish from reads while its locked bytes stayed (and no space would come back). So each
   * version is checked here, giving prune ObjectLockedError before anything changes, then deleted
   * by its id, which S3 itself also refuses while the version is locked. Versions hidden behind an
   * existing delete marker are left to the bucket's lifecycle rules (noncurrent version expiry).
   */
  private async deleteVersions(key: string, options: DeleteOptions): Promise<void> {
    for (let round = 0; round < MAX_VERSIONS_DELETED; round++) {
      let versionId: string | null;
      try {
        versionId = (await this.client.statObject(this.config.bucket, key)).versionId ?? null;
      } catch (error) {
        if (isNotFound(error)) return;
        throw this.failure(`stat "${key}" before deleting it`, error);
      }
      const lock = await this.retentionOf(key, versionId ?? undefined);
      const bypass = lock?.mode === 'governance' && options.bypassGovernance === true;
      if (lock && lock.retainUntil.getTime() > Date.now() && !bypass) throw new ObjectLockedError(key, lock.retainUntil, lock.mode, this.describe());
      try {
        await this.client.removeObject(this.config.bucket, key, versionId ? { versionId, ...(bypass ? { governanceBypass: true } : {}) } : undefined);
      } catch (error) {
        if (isNotFound(error)) return;
        throw this.failure(`delete "${key}"${versionId ? ` (version ${versionId})` : ''}`, error);
      }
      // Without a version id the bucket is not versioned after all: that delete removed the object.
      if (!versionId) return;
    }
    throw new Error(`${this.describe()}: object "${key}" still has versions after deleting ${MAX_VERSIONS_DELETED}; remove them with the bucket's tools`);
  }

  /** A real round trip every time (health checks must notice a store that went away), creating the bucket if needed. */
  async ping(): Promise<void> {
    await this.ready();
    let exists: boolean;
    try {
      exists = await this.client.bucketExists(this.config.bucket);
    } catch (error) {
      throw this.failure('ping', error);
    }
    if (!exists) {
      // Deleted behind our back: create it again on the next use.
      this.bucketReady = undefined;
      throw new Error(`${this.describe()}: the bucket does not exist`);
    }
  }

  describe(): string {
    return `S3 bucket "${this.config.bucket}" at ${this.config.endpoint}`;
  }
}
