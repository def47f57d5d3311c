/**
 * The whole platform on one machine with embedded defaults, as a function: `npm start` runs it
 * with the default ports, the end-to-end tests with free ports, a temporary data directory and
 * their own schema prefix.
 *
 * Each external part is started here only when its variable is unset, so pointing Arca at a real
 * Kafka, MinIO or Postgres is a matter of setting KAFKA_BROKERS, S3_ENDPOINT or DATABASE_URL:
 * - Kafka: the development broker (infra/kafka-broker) on localhost:9092;
 * - S3: two s3rver instances (primary site :9000, replica site :9001), or the filesystem store when OBJECT_STORE=fs;
 * - Postgres: the local server on 127.0.0.1:5432 when it answers, else embedded PGlite.
 * Then the eight services run as child processes, supervised: one that exits is restarted with
 * backoff (restart-policy.ts), and the restart is logged. The gateway writes the first admin API
 * key to ARCA_ADMIN_KEY_FILE (default <data dir>/admin-key) when its database holds no key.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startBroker } from '@arca/kafka-broker';
import { resolveDatabaseUrl } from '@arca/persistence';
import { startS3rver } from '@arca/s3-dev';
import { portVariable, SERVICES, serviceUrl } from '@arca/service-kit';
import { nextFailureCount, restartDelayMs } from './restart-policy';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface PlatformOptions {
  /** Variables for the platform (defaults and overrides); the result is what the services get. */
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** Where service output goes, line by line, prefixed with the service name. */
  output?: (line: string) => void;
  log?: (line: string) => void;
}

export interface Platform {
  env: NodeJS.ProcessEnv;
  gatewayUrl: string;
  /** Where the gateway writes the first admin key, which the arca CLI reads. */
  adminKeyFile: string;
  /** The admin key the gateway created during this run (it found no key), else undefined. */
  createdAdminKey(): string | undefined;
  /** The services' process ids (benchmarks read their peak memory). */
  pids(): Record<string, number>;
  waitUntilHealthy(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** A stable development passphrase, created once, so restarts can open the repository key. */
function devPassphrase(dataDir: string, log: (line: string) => void): string {
  const file = path.join(dataDir, 'dev-passphrase');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
    log(`ARCA_PASSPHRASE is not set: created a development passphrase in ${file} (set ARCA_PASSPHRASE in production)`);
  }
  return readFileSync(file, 'utf8').trim();
}

/** A stable development key for the policy service's sealed secrets, created once like the passphrase. */
function devSecretsKey(dataDir: string, log: (line: string) => void): string {
  const file = path.join(dataDir, 'secrets-key');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
    log(`ARCA_SECRETS_KEY is not set: created a development key in ${file} (set ARCA_SECRETS_KEY in production)`);
  }
  return readFileSync(file, 'utf8').trim();
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { dataDir } = options;
  const log = options.log ?? (() => undefined);
  const output = options.output ?? (() => undefined);
  const closers: Array<() => Promise<void>> = [];
  const children = new Map<string, ChildProcess>();
  const restarts = new Map<string, NodeJS.Timeout>();
  let stopping = false;
  mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...options.env, ARCA_DATA_DIR: dataDir };

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const timer of restarts.values()) clearTimeout(timer);
    await Promise.all([...children.values()].map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 10_000).unref();
    })));
    for (const close of closers.reverse()) await close().catch((error) => log(`while stopping: ${error}`));
  };

  try {
    if (!env.KAFKA_BROKERS) {
      const broker = await startBroker({ port: Number(env.KAFKA_BROKER_PORT ?? 9092), dataDir: path.join(dataDir, 'kafka') });
      closers.push(() => broker.close());
      env.KAFKA_BROKERS = `localhost:${broker.port}`;
      log(`development Kafka broker on localhost:${broker.port} (data in ${path.join(dataDir, 'kafka')})`);
    }

    const objectStore = env.OBJECT_STORE ?? 's3';
    env.OBJECT_STORE = objectStore;
    if (objectStore === 'fs') {
      env.OBJECT_STORE_DIR ??= path.join(dataDir, 'objects');
      env.REPLICA_OBJECT_STORE ??= 'fs';
      env.REPLICA_OBJECT_STORE_DIR ??= path.join(dataDir, 'objects-replica');
      log(`filesystem object store in ${env.OBJECT_STORE_DIR} (replica site ${env.REPLICA_OBJECT_STORE_DIR})`);
    } else if (!env.S3_ENDPOINT) {
      const primary = await startS3rver({ port: Number(env.S3RVER_PORT ?? 9000), dataDir: path.join(dataDir, 's3-primary') });
      closers.push(() => primary.close());
      Object.assign(env, { S3_ENDPOINT: primary.endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER' });
      log(`s3rver (primary site) on ${primary.endpoint}`);
      if (!env.REPLICA_S3_ENDPOINT) {
        const replica = await startS3rver({ port: Number(env.REPLICA_S3RVER_PORT ?? 9001), dataDir: path.join(dataDir, 's3-replica') });
        closers.push(() => replica.close());
        Object.assign(env, { REPLICA_OBJECT_STORE: 's3', REPLICA_S3_ENDPOINT: replica.endpoint, REPLICA_S3_ACCESS_KEY: 'S3RVER', REPLICA_S3_SECRET_KEY: 'S3RVER' });
        log(`s3rver (replica site) on ${replica.endpoint}`);
      }
    }

    if (!env.DATABASE_URL) {
      const database = await resolveDatabaseUrl(env, { embeddedDataDir: path.join(dataDir, 'pglite') });
      if (database.close) closers.push(database.close);
      env.DATABASE_URL = database.url;
      log(`Postgres: ${database.description}`);
    }

    env.ARCA_PASSPHRASE ??= devPassphrase(dataDir, log);
    env.ARCA_SECRETS_KEY ??= devSecretsKey(dataDir, log);
    env.ARCA_ADMIN_KEY_FILE ??= path.join(dataDir, 'admin-key');
  } catch (error) {
    await stop();
    throw error;
  }

  const failures = new Map<string, number>();
  const run = (name: string) => {
    const main = path.join(REPO_ROOT, 'services', name, 'src', 'main.ts');
    const started = Date.now();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', main], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(name, child);
    for (const stream of [child.stdout!, child.stderr!]) {
      let pending = '';
      stream.on('data', (data: Buffer) => {
        const lines = (pending + data.toString()).split('\n');
        pending = lines.pop()!;
        for (const line of lines) output(`[${name}] ${line}`);
      });
    }
    child.on('exit', (code, signal) => {
      if (stopping) return;
      const count = nextFailureCount(failures.get(name) ?? 0, Date.now() - started);
      failures.set(name, count);
      const delay = restartDelayMs(count);
      log(`${name} exited (${signal ?? `code ${code}`}); restarting it in ${delay / 1000} s (restart ${count} in a row); the others keep running`);
      restarts.set(name, setTimeout(() => {
        restarts.delete(name);
        if (!stopping) run(name);
      }, delay));
    });
  };
  for (const service of SERVICES) {
    env[portVariable(service.name)] ??= String(service.port);
    run(service.name);
  }

  const gatewayUrl = serviceUrl('gateway', env);
  const startedAt = Date.now();
  const adminKeyFile = env.ARCA_ADMIN_KEY_FILE!;
  return {
    env,
    gatewayUrl,
    adminKeyFile,
    createdAdminKey: () => (existsSync(adminKeyFile) && statSync(adminKeyFile).mtimeMs >= startedAt - 1000 ? readFileSync(adminKeyFile, 'utf8').trim() : undefined),
    pids: () => Object.fromEntries([...children].filter(([, c]) => c.pid !== undefined).map(([name, c]) => [name, c.pid!])),
    async waitUntilHealthy(timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !stopping) {
        try {
          if ((await fetch(`${gatewayUrl}/health`)).ok) return true;
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return false;
    },
    stop,
  };
}
