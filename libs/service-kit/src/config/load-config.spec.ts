import { IsPort } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CommonEnv, portMessage } from './common-env';
import { ConfigError, loadConfig } from './load-config';

class ExampleEnv extends CommonEnv {
  @IsPort({ message: portMessage('EXAMPLE_PORT') })
  EXAMPLE_PORT = '3100';
}

describe('loadConfig', () => {
  it('keeps defaults for unset variables', () => {
    const config = loadConfig(ExampleEnv, {});
    expect(config.EXAMPLE_PORT).toBe('3100');
    expect(config.KAFKA_BROKERS).toBe('localhost:9092');
  });

  it('takes values from the environment', () => {
    const config = loadConfig(ExampleEnv, { EXAMPLE_PORT: '4000', KAFKA_BROKERS: 'k1:9092,k2:9093' });
    expect(config.EXAMPLE_PORT).toBe('4000');
    expect(config.KAFKA_BROKERS).toBe('k1:9092,k2:9093');
  });

  it('names the bad variable and the value it got', () => {
    expect(() => loadConfig(ExampleEnv, { EXAMPLE_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig(ExampleEnv, { EXAMPLE_PORT: 'abc' })).toThrow(/EXAMPLE_PORT must be a TCP port number .*got "abc"/);
    expect(() => loadConfig(ExampleEnv, { EXAMPLE_PORT: '99999' })).toThrow(/EXAMPLE_PORT/);
    expect(() => loadConfig(ExampleEnv, { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
  });
});
