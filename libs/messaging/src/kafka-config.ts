import { KafkaConfig, logLevel, SASLOptions } from 'kafkajs';

export class MessagingConfigError extends Error {}

/**
 * kafkajs settings from the environment: KAFKA_BROKERS (default localhost:9092, the dev broker),
 * and for real clusters KAFKA_SSL=true and KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD.
 */
export function kafkaConfigFromEnv(env: Record<string, string | undefined>, clientId: string): KafkaConfig {
  const brokers = (env.KAFKA_BROKERS ?? 'localhost:9092').split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(broker)) throw new MessagingConfigError(`KAFKA_BROKERS entry "${broker}" is not host:port`);
  }
  const mechanism = env.KAFKA_SASL_MECHANISM;
  let sasl: SASLOptions | undefined;
  if (mechanism) {
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) {
      throw new MessagingConfigError(`KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got "${mechanism}"`);
    }
    sasl = { mechanism, username: env.KAFKA_SASL_USERNAME ?? '', password: env.KAFKA_SASL_PASSWORD ?? '' } as SASLOptions;
  }
  return {
    clientId,
    brokers,
    ssl: env.KAFKA_SSL === 'true',
    sasl,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200 },
  };
}
