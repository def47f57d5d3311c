import path from 'node:path';
import { startS3rver } from './index';

/**
 * Runs one s3rver on its own: S3RVER_HOST (127.0.0.1), S3RVER_PORT (9000),
 * S3RVER_DATA_DIR (.arca/s3-primary), S3RVER_BUCKETS (comma-separated, none).
 */
async function main(): Promise<void> {
  const port = Number(process.env.S3RVER_PORT ?? 9000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`S3RVER_PORT is not a port number: "${process.env.S3RVER_PORT}"`);
  const s3 = await startS3rver({
    host: process.env.S3RVER_HOST ?? '127.0.0.1',
    port,
    dataDir: path.resolve(process.env.S3RVER_DATA_DIR ?? '.arca/s3-primary'),
    buckets: (process.env.S3RVER_BUCKETS ?? '').split(',').map((name) => name.trim()).filter(Boolean),
  });
  console.log(`[s3rver] S3 API on ${s3.endpoint} (access key S3RVER, secret S3RVER)`);
  // Close the listening socket on Ctrl-C or a stop from a process manager, so the port is free at once.
  const stop = () => void s3.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`[s3rver] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
