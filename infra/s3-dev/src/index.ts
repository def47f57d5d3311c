import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface DevS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * s3rver on loopback: an S3 API over HTTP, spoken to with the same minio client as MinIO in
 * production. It refuses the client's multipart upload, so Arca keeps objects under the client's
 * 64 MiB multipart threshold (packs are a few tens of MB at most). Credentials: S3RVER / S3RVER.
 */
export async function startS3rver(options: { host?: string; port?: number; dataDir: string; buckets?: string[] }): Promise<DevS3> {
  mkdirSync(options.dataDir, { recursive: true });
  // s3rver is CommonJS without types.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver');
  const host = options.host ?? '127.0.0.1';
  const server = new S3rver({
    address: host,
    port: options.port ?? 9000,
    directory: options.dataDir,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    close: () => server.close(),
  };
}
