import { readFileSync } from 'node:fs';
import { KafkaConfig, logLevel, SASLOptions } from 'kafkajs';

export class MessagingConfigError extends Error {}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'];

/**
 * kafkajs settings from the environment, the same for every service:
 * - KAFKA_BROKERS: comma-separated host:port list (default localhost:9092, the dev broker);
 * - KAFKA_CLIENT_ID: how the brokers' logs name this process (default `fallbackClientId`);
 * - for real clusters: KAFKA_SSL=true (optionally KAFKA_SSL_CA_FILE, a PEM file of the CA to trust),
 *   and KAFKA_SASL_MECHANISM (plain | scram-sha-256 | scram-sha-512) with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.
 */
export function kafkaConfigFromEnv(env: Record<string, string | undefined>, fallbackClientId: string): KafkaConfig {
  const brokers = (env.KAFKA_BROKERS || 'localhost:9092').split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^:\s/]+:\d{1,5}$/.test(broker)) throw new MessagingConfigError(`KAFKA_BROKERS entry "${broker}" is not host:port (e.g. kafka-1:9092,kafka-2:9092)`);
  }
  return {
    clientId: env.KAFKA_CLIENT_ID || fallbackClientId,
    brokers,
    ssl: sslFromEnv(env),
    sasl: saslFromEnv(env),
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200 },
  };
}

function sslFromEnv(env: Record<string, string | undefined>): KafkaConfig['ssl'] {
  const ssl = env.KAFKA_SSL ?? 'false';
  if (ssl !== 'true' && ssl !== 'false') throw new MessagingConfigError(`KAFKA_SSL must be "true" or "false", got "${ssl}"`);
  if (env.KAFKA_SSL_CA_FILE) {
    if (ssl !== 'true') throw new MessagingConfigError('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not "true"');
    try {
      return { ca: [readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8')] };
    } catch (error) {
      throw new MessagingConfigError(`KAFKA_SSL_CA_FILE "${env.KAFKA_SSL_CA_FILE}" cannot be read: ${(error as Error).message}`);
    }
  }
  return ssl === 'true';
}

function saslFromEnv(env: Record<string, string | undefined>): SASLOptions | undefined {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (!mechanism) return undefined;
  if (!SASL_MECHANISMS.includes(mechanism)) {
    throw new MessagingConfigError(`KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanism}"`);
  }
  if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) {
    throw new MessagingConfigError(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`);
  }
  return { mechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD } as SASLOptions;
}
