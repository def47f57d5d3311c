import { Client } from 'minio';
import type { Readable } from 'node:stream';
import { assertValidKey, assertValidRange, ObjectNotFoundError, ObjectStore } from './object-store';

export interface S3Config {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

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
          await this.client.makeBucket(this.config.bucket, this.config.region);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
        }
      }
    })().catch((error) => {
      // Not cached: the next call tries again (the store may simply not be up yet).
      this.bucketReady = undefined;
      throw this.failure('opening the bucket', error);
    });
    return this.bucketReady;
  }

  async put(key: string, body: Buffer): Promise<void> {
    assertValidKey(key);
    if (body.length > MAX_SINGLE_PUT) {
      throw new Error(`object "${key}" is ${body.length} bytes; ${this.describe()} takes objects under 64 MiB (one single-part PUT, which s3rver requires)`);
    }
    await this.ready();
    try {
      // The size makes the client send one PUT with Content-Length instead of a multipart upload.
      await this.client.putObject(this.config.bucket, key, body, body.length);
    } catch (error) {
      throw this.failure(`put "${key}"`, error);
    }
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

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.ready();
    try {
      await this.client.removeObject(this.config.bucket, key);
    } catch (error) {
      if (isNotFound(error)) return;
      throw this.failure(`delete "${key}"`, error);
    }
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
