import { loadConfig } from '@arca/service-kit';
import { describe, expect, it } from 'vitest';
import { ReplicationEnv, replicationSettings } from './config';

describe("replication's configuration", () => {
  it('refuses a bad retry schedule or bandwidth limit, naming the variable', () => {
    expect(() => loadConfig(ReplicationEnv, { REPLICATION_RETRY_FIRST_MS: '0' })).toThrow(/REPLICATION_RETRY_FIRST_MS must be a whole number of milliseconds from 1/);
    expect(() => loadConfig(ReplicationEnv, { REPLICATION_RETRY_MAX_MS: '5m' })).toThrow(/REPLICATION_RETRY_MAX_MS must be a whole number/);
    expect(() => loadConfig(ReplicationEnv, { REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC: '10' })).toThrow(/REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC must be a whole number of bytes per second from 1000/);
    expect(loadConfig(ReplicationEnv, { REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC: '1048576', REPLICATION_RETRY_FIRST_MS: '200' })).toMatchObject({ REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC: '1048576' });
  });

  it('reads the settings, a maximum below the first wait raised to it', () => {
    expect(replicationSettings({})).toEqual({ site: 'replica', backoff: { firstMs: 1000, maxMs: 300_000 }, bandwidthLimitBytesPerSec: null });
    expect(replicationSettings({ REPLICA_SITE_NAME: 'dr', REPLICATION_RETRY_FIRST_MS: '5000', REPLICATION_RETRY_MAX_MS: '1000', REPLICA_BANDWIDTH_LIMIT_BYTES_PER_SEC: '2000' }))
      .toEqual({ site: 'dr', backoff: { firstMs: 5000, maxMs: 5000 }, bandwidthLimitBytesPerSec: 2000 });
  });
});
