import { Platform, startPlatform } from '@arca/dev';
import { testDatabaseUrl } from '@arca/persistence';
import { portVariable, SERVICES } from '@arca/service-kit';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/** Ports handed out in this process: the kernel may offer a port again once its probe closed, before the service binds it. */
const handedOut = new Set<number>();

/** A loopback port nothing listens on, not handed out before in this process. */
export async function freePort(): Promise<number> {
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
  /** The first admin key, which the gateway wrote to adminKeyFile (read once the platform is healthy). */
  readonly adminKey: string;
  schemaPrefix: string;
  logs: string[];
  /** Stops everything and drops the test's schemas. */
  destroy(): Promise<void>;
}

/** The first admin key of each running test platform, by gateway URL (the CLI helpers are given only the URL). */
const adminKeys = new Map<string, string>();

export function adminKeyFor(gatewayUrl: string): string {
  const key = adminKeys.get(gatewayUrl);
  if (!key) throw new Error(`no admin key known for ${gatewayUrl} (is the test platform started and healthy?)`);
  return key;
}

/** The header that authenticates as the platform's first admin. */
export function adminAuthorization(platform: Platform): Record<string, string> {
  return { authorization: `Bearer ${adminKeyFor(platform.gatewayUrl)}` };
}

/** Variables that would point the test platform at someone else's parts. */
const INHERITED = /^(KAFKA_BROKERS|S3_ENDPOINT|REPLICA_S3_ENDPOINT|OBJECT_STORE.*|REPLICA_OBJECT_STORE.*|[A-Z_]+_PORT|[A-Z_]+_URL)$/;

/**
 * How long a test platform may take to become healthy: some 15-30 s on an idle 2-core machine, but
 * its nine processes start slowly when the machine is shared (90 s was seen missed at a load of 30).
 * A healthy platform is used at once; only a broken one waits the whole time.
 */
export const PLATFORM_HEALTHY_MS = 180_000;
/** A hook that starts a platform: its start and the wait for it. */
export const PLATFORM_HOOK_MS = PLATFORM_HEALTHY_MS + 60_000;

/**
 * The real platform, as `npm start` runs it, on free ports with a temporary data directory and
 * schemas of its own, so tests run beside a developer's `npm start` and beside each other.
 */
export async function startTestPlatform(extraEnv: NodeJS.ProcessEnv = {}, reuse: { dataDir?: string; schemaPrefix?: string } = {}): Promise<TestPlatform> {
  // `reuse`: start again on a stopped platform's data folder (its buckets, its broker's log) and schema prefix.
  const dataDir = reuse.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'arca-e2e-'));
  const schemaPrefix = reuse.schemaPrefix ?? `e2e_${randomBytes(3).toString('hex')}`;
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
  // A port the test chose (to put a proxy in front of a service) is kept.
  for (const service of SERVICES) env[portVariable(service.name)] ??= String(await freePort());
  const logs: string[] = [];
  const platform = await startPlatform({ env, dataDir, output: (line) => logs.push(line), log: (line) => logs.push(`[arca] ${line}`) });
  return {
    ...platform,
    get adminKey(): string {
      return adminKeyFor(platform.gatewayUrl);
    },
    async waitUntilHealthy(timeoutMs: number) {
      // The gateway writes the key before it listens, so a healthy platform has one.
      if (!(await platform.waitUntilHealthy(timeoutMs))) return false;
      adminKeys.set(platform.gatewayUrl, readFileSync(platform.adminKeyFile, 'utf8').trim());
      return true;
    },
    dataDir,
    schemaPrefix,
    logs,
    async destroy() {
      adminKeys.delete(platform.gatewayUrl);
      await platform.stop();
      await dropSchemas(schemaPrefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Drops every service's schema of a platform (its whole database, as a lost site loses it). */
export async function dropSchemas(schemaPrefix: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    for (const service of SERVICES) await client.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}_${service.name.replace(/-/g, '_')}" CASCADE`);
  } finally {
    await client.end();
  }
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

/**
 * Calls the gateway as the platform's first admin, unless `headers` names its own credentials
 * (`authorization` or `x-api-key`; an empty value sends none).
 */
export async function api<T = unknown>(platform: Platform, method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const own = 'authorization' in headers || 'x-api-key' in headers;
  const sent = Object.fromEntries(Object.entries({ ...(own ? {} : adminAuthorization(platform)), ...headers }).filter(([, value]) => value !== ''));
  const response = await fetch(platform.gatewayUrl + pathname, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...sent },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? safeJson(text) : undefined) as T, headers: response.headers };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // CSV, plain text
  }
}
