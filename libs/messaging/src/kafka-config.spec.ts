import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaConfigFromEnv } from './kafka-config';

describe('kafkaConfigFromEnv', () => {
  it('defaults to the dev broker, without TLS or SASL', () => {
    expect(kafkaConfigFromEnv({}, 'arca-policy')).toMatchObject({ clientId: 'arca-policy', brokers: ['localhost:9092'], ssl: false, sasl: undefined });
  });

  it('reads brokers, client id, TLS with a CA file and SASL', () => {
    const ca = path.join(mkdtempSync(path.join(os.tmpdir(), 'arca-kafka-ca-')), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    const config = kafkaConfigFromEnv({
      KAFKA_BROKERS: 'k1:9093, k2:9093', KAFKA_CLIENT_ID: 'ingest-7', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'arca', KAFKA_SASL_PASSWORD: 'secret',
    }, 'arca-ingest');
    expect(config).toMatchObject({
      clientId: 'ingest-7', brokers: ['k1:9093', 'k2:9093'], ssl: { ca: ['-----BEGIN CERTIFICATE-----\n'] },
      sasl: { mechanism: 'scram-sha-512', username: 'arca', password: 'secret' },
    });
  });

  it('says which variable is wrong and how', () => {
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'kafka:9092,http://kafka:9092' }, 'x')).toThrow('KAFKA_BROKERS entry "http://kafka:9092" is not host:port');
    expect(() => kafkaConfigFromEnv({ KAFKA_SSL: 'yes' }, 'x')).toThrow('KAFKA_SSL must be "true" or "false", got "yes"');
    expect(() => kafkaConfigFromEnv({ KAFKA_SSL_CA_FILE: '/ca.pem' }, 'x')).toThrow('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not "true"');
    expect(() => kafkaConfigFromEnv({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/no/such/ca.pem' }, 'x')).toThrow(/KAFKA_SSL_CA_FILE "\/no\/such\/ca.pem" cannot be read/);
    expect(() => kafkaConfigFromEnv({ KAFKA_SASL_MECHANISM: 'gssapi' }, 'x')).toThrow('KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, got "gssapi"');
    expect(() => kafkaConfigFromEnv({ KAFKA_SASL_MECHANISM: 'plain' }, 'x')).toThrow('KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  });
});
