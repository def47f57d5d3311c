import { kafkaConfigFromEnv, MessagingConfigError } from '@arca/messaging';
import { objectStoreConfigFromEnv, ObjectStoreConfigError } from '@arca/object-store';
import { SERVICES, urlVariable } from '../service-directory';
import { ConfigError } from './load-config';

/**
 * Checks the settings every service shares but reads outside its env class: the Kafka client
 * (KAFKA_SSL, KAFKA_SASL_*, …), both object-store sites (OBJECT_STORE, S3_*, and REPLICA_*) and
 * the `<SERVICE>_URL` directory. Run before Nest starts, so a bad value stops the service with one
 * ConfigError line instead of a stack trace from inside a provider factory.
 */
export function checkSharedSettings(env: Record<string, string | undefined>): void {
  try {
    kafkaConfigFromEnv(env, 'arca-config-check');
    objectStoreConfigFromEnv(env);
    objectStoreConfigFromEnv(env, 'REPLICA_');
  } catch (error) {
    if (error instanceof MessagingConfigError || error instanceof ObjectStoreConfigError) throw new ConfigError(error.message);
    throw error;
  }
  for (const { name } of SERVICES) {
    const variable = urlVariable(name);
    const value = env[variable];
    if (value && !isHttpUrl(value)) throw new ConfigError(`${variable} is not a URL: "${value}" (expected http://host:port)`);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
