import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsOptional, IsPort, IsString, Matches } from 'class-validator';
import { DEFAULT_RETRY_BACKOFF, RetryBackoff } from './copy-rules';

const WHOLE_MS = /^[1-9]\d{0,9}$/;

export class ReplicationEnv extends CommonEnv {
  @IsPort({ message: portMessage('REPLICATION_PORT') })
  REPLICATION_PORT = '3006';

  /** The name the secondary site is reported under. */
  @IsString()
  @Matches(/^[\w.-]{1,64}$/, { message: 'REPLICA_SITE_NAME must be 1-64 letters, digits, "_", "-" or "."' })
  REPLICA_SITE_NAME = 'replica';

  /** The wait before a failed copy's first retry; each further retry waits twice as long, up to REPLICATION_RETRY_MAX_MS. */
  @Matches(WHOLE_MS, { message: 'REPLICATION_RETRY_FIRST_MS must be a whole number of milliseconds from 1' })
  REPLICATION_RETRY_FIRST_MS = String(DEFAULT_RETRY_BACKOFF.firstMs);

  @Matches(WHOLE_MS, { message: 'REPLICATION_RETRY_MAX_MS must be a whole number of milliseconds from 1' })
  REPLICATION_RETRY_MAX_MS = String(DEFAULT_RETRY_BACKOFF.maxMs);

  /** Copies to the replica site are held to this many bytes per second; unset: no limit. */
  @IsOptional()
  @Matches(/^[1-9]\d{3,12}$/, { message: 'REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC must be a whole number of bytes per second from 1000' })
  REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC?: string;
}

/** The copy worker's settings, read from the validated environment. */
export interface ReplicationSettings {
  site: string;
  backoff: RetryBackoff;
  bandwidthLimitBytesPerSec: number | null;
}

export function replicationSettings(env: NodeJS.ProcessEnv = process.env): ReplicationSettings {
  const firstMs = Number(env.REPLICATION_RETRY_FIRST_MS ?? DEFAULT_RETRY_BACKOFF.firstMs);
  return {
    site: env.REPLICA_SITE_NAME ?? 'replica',
    backoff: { firstMs, maxMs: Math.max(firstMs, Number(env.REPLICATION_RETRY_MAX_MS ?? DEFAULT_RETRY_BACKOFF.maxMs)) },
    bandwidthLimitBytesPerSec: env.REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC ? Number(env.REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC) : null,
  };
}
