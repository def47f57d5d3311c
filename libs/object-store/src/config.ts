import path from 'node:path';
import { FsObjectStore } from './fs-object-store';
import { ObjectStore } from './object-store';
import { S3Config, S3ObjectStore } from './s3-object-store';

export type ObjectStoreConfig = { driver: 's3'; s3: S3Config } | { driver: 'fs'; directory: string };

export class ObjectStoreConfigError extends Error {}

/**
 * Reads the object store's settings. The primary site uses OBJECT_STORE, S3_* and OBJECT_STORE_DIR;
 * the replica site the same names behind `REPLICA_` (pass that prefix).
 */
export function objectStoreConfigFromEnv(env: Record<string, string | undefined>, prefix = ''): ObjectStoreConfig {
  const v = (name: string) => env[prefix + name];
  const driver = v('OBJECT_STORE') ?? 's3';
  if (driver === 'fs') {
    return { driver: 'fs', directory: path.resolve(v('OBJECT_STORE_DIR') ?? path.join(env.ARCA_DATA_DIR ?? '.arca', prefix ? 'objects-replica' : 'objects')) };
  }
  if (driver !== 's3') throw new ObjectStoreConfigError(`${prefix}OBJECT_STORE must be "s3" or "fs", got "${driver}"`);
  const endpoint = v('S3_ENDPOINT') ?? (prefix ? 'http://127.0.0.1:9001' : 'http://127.0.0.1:9000');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ObjectStoreConfigError(`${prefix}S3_ENDPOINT is not a URL: "${endpoint}" (expected http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ObjectStoreConfigError(`${prefix}S3_ENDPOINT is not a URL: "${endpoint}" (expected http://host:port)`);
  }
  const bucket = v('S3_BUCKET') ?? (prefix ? 'arca-replica' : 'arca');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ObjectStoreConfigError(`${prefix}S3_BUCKET "${bucket}" is not a valid bucket name`);
  const objectLock = v('S3_OBJECT_LOCK');
  if (objectLock !== undefined && objectLock !== 'true' && objectLock !== 'false') throw new ObjectStoreConfigError(`${prefix}S3_OBJECT_LOCK must be "true" or "false", got "${objectLock}"`);
  return {
    driver: 's3',
    s3: {
      endpoint: endpoint.replace(/\/$/, ''), accessKey: v('S3_ACCESS_KEY') ?? 'S3RVER', secretKey: v('S3_SECRET_KEY') ?? 'S3RVER', bucket, region: v('S3_REGION') ?? 'us-east-1',
      ...(objectLock === 'true' ? { objectLock: true } : {}),
    },
  };
}

export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  return config.driver === 'fs' ? new FsObjectStore(config.directory) : new S3ObjectStore(config.s3);
}
