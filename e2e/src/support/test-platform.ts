import { Platform, startPlatform } from '@arca/dev';
import { testDatabaseUrl } from '@arca/persistence';
import { portVariable, SERVICES } from '@arca/service-kit';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/** Ports handed out in this process: the kernel may offer a port again once its probe closed, before the service binds it. */
const handedOut = new Set<number>();

async function freePort(): Promise<number> {
  for (;;) {
    const port = await probePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

async function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface TestPlatform extends Platform {
  dataDir: string;
  schemaPrefix: string;
  logs: string[];
  /** Stops everything and drops the test's schemas. */
  destroy(): Promise<void>;
}

/** Variables that would point the test platform at someone else's parts. */
const INHERITED = /^(KAFKA_BROKERS|S3_ENDPOINT|REPLICA_S3_ENDPOINT|OBJECT_STORE.*|REPLICA_OBJECT_STORE.*|[A-Z_]+_PORT|[A-Z_]+_URL)$/;

/**
 * The real platform, as `npm start` runs it, on free ports with a temporary data directory and
 * schemas of its own, so tests run beside a developer's `npm start` and beside each other.
 */
export async function startTestPlatform(extraEnv: NodeJS.ProcessEnv = {}): Promise<TestPlatform> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arca-e2e-'));
  const schemaPrefix = `e2e_${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !INHERITED.test(key)));
  Object.assign(env, {
    ARCA_SCHEMA_PREFIX: schemaPrefix,
    DATABASE_URL: testDatabaseUrl(),
    KAFKA_BROKER_PORT: String(await freePort()),
    S3RVER_PORT: String(await freePort()),
    REPLICA_S3RVER_PORT: String(await freePort()),
    ARCA_PASSPHRASE: 'e2e-passphrase-not-secret',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  });
  for (const service of SERVICES) env[portVariable(service.name)] = String(await freePort());
  const logs: string[] = [];
  const platform = await startPlatform({ env, dataDir, output: (line) => logs.push(line), log: (line) => logs.push(`[arca] ${line}`) });
  return {
    ...platform,
    dataDir,
    schemaPrefix,
    logs,
    async destroy() {
      await platform.stop();
      const client = new Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      try {
        for (const service of SERVICES) await client.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}_${service.name.replace(/-/g, '_')}" CASCADE`);
      } finally {
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function api<T = unknown>(platform: Platform, method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(platform.gatewayUrl + pathname, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

