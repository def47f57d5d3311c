import { Client } from 'minio';
import type { Readable } from 'node:stream';
import { assertValidKey, ObjectNotFoundError, ObjectStore } from './object-store';

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
      pathStyle: true,
    });
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
      this.bucketReady = undefined;
      throw new Error(`${this.describe()}: cannot use bucket: ${(error as Error).message}`);
    });
    return this.bucketReady;
  }

  async put(key: string, body: Buffer): Promise<void> {
    assertValidKey(key);
    if (body.length > MAX_SINGLE_PUT) throw new Error(`object "${key}" is ${body.length} bytes; objects must stay under 64 MiB (single PUT)`);
    await this.ready();
    await this.client.putObject(this.config.bucket, key, body, body.length);
  }

  async get(key: string): Promise<Buffer> {
    assertValidKey(key);
    await this.ready();
    try {
      return await collect(await this.client.getObject(this.config.bucket, key));
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key, this.describe());
      throw error;
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    assertValidKey(key);
    await this.ready();
    try {
      return await collect(await this.client.getPartialObject(this.config.bucket, key, offset, length));
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key, this.describe());
      throw error;
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertValidKey(key);
    await this.ready();
    try {
      return { size: (await this.client.statObject(this.config.bucket, key)).size };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    await this.ready();
    for await (const item of this.client.listObjectsV2(this.config.bucket, prefix, true)) {
      if (item.name) yield { key: item.name, size: item.size };
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.ready();
    await this.client.removeObject(this.config.bucket, key);
  }

  async ping(): Promise<void> {
    await this.ready();
  }

  describe(): string {
    return `S3 bucket "${this.config.bucket}" at ${this.config.endpoint}`;
  }
}
