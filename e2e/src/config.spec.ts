import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function startService(service: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(__dirname, `../../services/${service}/src/main.ts`)], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** What the service printed, less Node's warnings about kafkajs timers. */
function lines(stderr: string): string[] {
  return stderr.trim().split('\n').filter((l) => !/Timeout|trace-warnings/.test(l));
}

describe('configuration is validated at start', () => {
  it('stops a service with one line naming a bad variable', async () => {
    const { code, stderr } = await startService('gateway', { GATEWAY_PORT: 'eighty' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([
      'arca-gateway: configuration error: GATEWAY_PORT must be a TCP port number (0-65535) (got "eighty")',
    ]);
  });

  it('stops the gateway when an OIDC issuer is named without its audience and JWKS', async () => {
    const { code, stderr } = await startService('gateway', { OIDC_ISSUER: 'https://login.example.com' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/OIDC_AUDIENCE must be set with OIDC_ISSUER/);
    expect(stderr).toMatch(/OIDC_JWKS_URL must be set with OIDC_ISSUER/);
  });

  it('names a malformed broker list and database URL', async () => {
    const { code, stderr } = await startService('policy', { KAFKA_BROKERS: 'kafka', DATABASE_URL: 'mysql://db' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/KAFKA_BROKERS must be a comma-separated list of host:port/);
    expect(stderr).toMatch(/DATABASE_URL must be a postgres:\/\/ URL/);
  });

  it('refuses an object store endpoint that is not a URL, in one line', async () => {
    const { code, stderr } = await startService('storage', { S3_ENDPOINT: 'minio:9000', STORAGE_PORT: '0' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual(['arca-storage: configuration error: S3_ENDPOINT is not a URL: "minio:9000" (expected http://host:port)']);
  });

  it('checks the Kafka client settings before starting, in one line', async () => {
    const { code, stderr } = await startService('gateway', { KAFKA_SSL: 'yes', GATEWAY_PORT: '0' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual(['arca-gateway: configuration error: KAFKA_SSL must be "true" or "false", got "yes"']);
  });
});
