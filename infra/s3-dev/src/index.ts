import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

export interface DevS3 {
  /** `http://host:port`, ready for S3_ENDPOINT. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export interface DevS3Options {
  /** Defaults to 127.0.0.1: the development S3 accepts any signature-valid client, so it stays on loopback. */
  host?: string;
  /** Defaults to 9000; 0 picks a free port (tests). */
  port?: number;
  /** Where objects are kept (created if missing); survives restarts. */
  dataDir: string;
  /** Buckets created at start; the object store also creates its bucket on first use. */
  buckets?: string[];
}

/** The credentials s3rver accepts. */
export const S3RVER_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;

/**
 * s3rver on loopback: an S3 API over HTTP, spoken to with the same minio client as MinIO in
 * production. It refuses the client's multipart upload, so Arca keeps objects under 64 MiB and
 * sends each in one PUT. Credentials: S3RVER / S3RVER.
 */
export async function startS3rver(options: DevS3Options): Promise<DevS3> {
  mkdirSync(options.dataDir, { recursive: true });
  // s3rver is CommonJS without types.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver');
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9000;
  const server = new S3rver({
    address: host,
    port,
    directory: options.dataDir,
    // Its per-request access log would drown the platform's own output.
    silent: true,
    // Arca always addresses buckets by path; with virtual hosts on, a host name such as
    // "s3-dev" (a container's name) would be taken for a bucket name.
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  let address: AddressInfo;
  try {
    // s3rver's listen() never rejects: a taken port becomes an uncaught 'error' event. Probe it first.
    if (port !== 0) await assertPortFree(host, port);
    address = (await server.run()) as AddressInfo;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ' (port in use: another s3rver or MinIO? choose another port, or 0 for any free one)' : '';
    throw new Error(`cannot start s3rver on ${host}:${port}: ${(error as Error).message}${hint}`, { cause: error });
  }
  const endpointHost = host.includes(':') ? `[${host}]` : host;
  return {
    endpoint: `http://${endpointHost}:${address.port}`,
    port: address.port,
    close: () => server.close(),
  };
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
