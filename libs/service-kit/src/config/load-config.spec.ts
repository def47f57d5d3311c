import { IsPort, IsString, MinLength } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CommonEnv, portMessage } from './common-env';
import { ConfigError, loadConfig } from './load-config';

class ExampleEnv extends CommonEnv {
  @IsPort({ message: portMessage('EXAMPLE_PORT') })
  EXAMPLE_PORT = '3100';
}

class SecretEnv extends CommonEnv {
  @IsString() @MinLength(8, { message: 'ARCA_PASSPHRASE must be at least 8 characters' })
  ARCA_PASSPHRASE = 'default passphrase';
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

  it('never prints a secret it rejects, nor the password of a URL', () => {
    expect(() => loadConfig(SecretEnv, { ARCA_PASSPHRASE: 'hunter2' })).toThrow(/ARCA_PASSPHRASE must be at least 8 characters \(got a value of 7 characters, not shown\)/);
    expect(() => loadConfig(SecretEnv, { ARCA_PASSPHRASE: 'hunter2' })).not.toThrow(/hunter2/);
    expect(() => loadConfig(ExampleEnv, { DATABASE_URL: 'mysql://admin:s3cret@db/x' })).toThrow(/got "mysql:\/\/admin:\*\*\*@db\/x"/);
    expect(() => loadConfig(ExampleEnv, { DATABASE_URL: 'mysql://admin:s3cret@db/x' })).not.toThrow(/s3cret/);
  });
});
