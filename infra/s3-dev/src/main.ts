import path from 'node:path';
import { startS3rver } from './index';

/** Runs s3rver on its own: S3RVER_PORT (9000), S3RVER_DATA_DIR (.arca/s3-primary). */
startS3rver({ port: Number(process.env.S3RVER_PORT ?? 9000), dataDir: path.resolve(process.env.S3RVER_DATA_DIR ?? '.arca/s3-primary') })
  .then((s3) => console.log(`[s3rver] S3 API on ${s3.endpoint} (access key S3RVER, secret S3RVER)`))
  .catch((error) => {
    console.error(`[s3rver] could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
