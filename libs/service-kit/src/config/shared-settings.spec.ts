import { describe, expect, it } from 'vitest';
import { ConfigError } from './load-config';
import { checkSharedSettings } from './shared-settings';

describe('checkSharedSettings', () => {
  it('accepts the embedded defaults and a full production environment', () => {
    expect(() => checkSharedSettings({})).not.toThrow();
    expect(() => checkSharedSettings({
      KAFKA_BROKERS: 'kafka:9092', KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p',
      OBJECT_STORE: 's3', S3_ENDPOINT: 'http://minio-primary:9000', REPLICA_OBJECT_STORE: 'fs', REPLICA_OBJECT_STORE_DIR: '/mnt/replica',
      POLICY_URL: 'http://policy:3001', DEDUPE_INDEX_URL: 'https://dedupe.internal',
    })).not.toThrow();
  });

  it.each([
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL must be "true" or "false", got "yes"'],
    [{ KAFKA_SASL_MECHANISM: 'gssapi' }, 'KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, got "gssapi"'],
    [{ KAFKA_SASL_MECHANISM: 'plain' }, 'KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD'],
    [{ OBJECT_STORE: 'nfs' }, 'OBJECT_STORE must be "s3" or "fs", got "nfs"'],
    [{ REPLICA_S3_ENDPOINT: 'minio:9000' }, 'REPLICA_S3_ENDPOINT is not a URL: "minio:9000" (expected http://host:port)'],
    [{ S3_BUCKET: 'Arca_Backups' }, 'S3_BUCKET "Arca_Backups" is not a valid bucket name'],
    [{ POLICY_URL: 'policy:3001' }, 'POLICY_URL is not a URL: "policy:3001" (expected http://host:port)'],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => checkSharedSettings(env)).toThrow(ConfigError);
    expect(() => checkSharedSettings(env)).toThrow(message);
  });
});
