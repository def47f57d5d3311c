/**
 * The platform as `npm start` runs it (every service a supervised child process, own ports,
 * schema prefix and data folder), with its outside parts started here so the chaos suite can hurt
 * them: the Kafka broker (stopped and started again, with or without its log), s3rver behind an
 * HTTP fault proxy, and the machine's Postgres behind a TCP fault proxy. The services reach them
 * only through their ordinary variables (KAFKA_BROKERS, S3_ENDPOINT, DATABASE_URL).
 */
import { HttpFaultProxy, TcpFaultProxy } from '@arca/fault-proxy';
import { KafkaDevBroker, startBroker } from '@arca/kafka-broker';
import { testDatabaseUrl } from '@arca/persistence';
import { portVariable } from '@arca/service-kit';
import { DevS3, S3RVER_CREDENTIALS, startS3rver } from '@arca/s3-dev';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startTestPlatform, TestPlatform, until } from '../../src/support/test-platform';
import { CheckResult, expectCheckClean, expectKafkaStory, expectStoreConsistent } from './assertions';

export interface ChaosPlatform {
  platform: TestPlatform;
  /** Between the services and the primary S3 site. */
  s3: HttpFaultProxy;
  s3Direct: DevS3;
  /** Between the services and Postgres. */
  postgres: TcpFaultProxy;
  /** The broker's port and data folder stay the same across restarts. */
  brokerPort: number;
  brokerDataDir: string;
  stopBroker(): Promise<void>;
  /** Starts the broker again on its port; `loseData` first deletes its data folder (log and offsets). */
  startBroker(options?: { loseData?: boolean }): Promise<void>;
  /**
   * SIGKILLs a service and waits until the launcher has restarted it and it answers /health
   * again; `whileStarting` runs once the new process is spawned, before it is ready.
   */
  kill(service: string, whileStarting?: () => Promise<void>): Promise<{ killedPid: number; restartedInMs: number }>;
  /** A temporary folder removed with the platform. */
  tempDir(name: string): string;
  destroy(): Promise<void>;
}

export async function startChaosPlatform(extraEnv: NodeJS.ProcessEnv = {}): Promise<ChaosPlatform> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'arca-chaos-'));
  const brokerDataDir = path.join(root, 'kafka');
  let broker: KafkaDevBroker | undefined = await startBroker({ port: 0, dataDir: brokerDataDir });
  const brokerPort = broker.port;
  const s3Direct = await startS3rver({ port: 0, dataDir: path.join(root, 's3-primary') });
  const replica = await startS3rver({ port: 0, dataDir: path.join(root, 's3-replica') });
  const s3 = await HttpFaultProxy.start({ upstream: { host: '127.0.0.1', port: s3Direct.port } });
  const database = new URL(testDatabaseUrl());
  const postgres = await TcpFaultProxy.start({ upstream: { host: database.hostname, port: Number(database.port || 5432) } });
  const proxied = new URL(database);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(postgres.port);

  const platform = await startTestPlatform({
    KAFKA_BROKERS: `127.0.0.1:${brokerPort}`,
    S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
    S3_ACCESS_KEY: S3RVER_CREDENTIALS.accessKey,
    S3_SECRET_KEY: S3RVER_CREDENTIALS.secretKey,
    REPLICA_OBJECT_STORE: 's3',
    REPLICA_S3_ENDPOINT: replica.endpoint,
    REPLICA_S3_ACCESS_KEY: S3RVER_CREDENTIALS.accessKey,
    REPLICA_S3_SECRET_KEY: S3RVER_CREDENTIALS.secretKey,
    DATABASE_URL: proxied.toString(),
    // Packs of 2 MiB rather than 16: a small dataset then spans many packs, so a fault strikes
    // between stored packs and the suite can see whether a resumed job reuses them.
    ARCA_PACK_SIZE: String(2 * 1024 * 1024),
    ...extraEnv,
  });
  if (!(await platform.waitUntilHealthy(120_000))) {
    const tail = platform.logs.slice(-40).join('\n');
    await platform.destroy();
    throw new Error(`the chaos platform did not become healthy:\n${tail}`);
  }
  const dirs: string[] = [root];
  return {
    platform, s3, s3Direct, postgres, brokerPort, brokerDataDir,
    async stopBroker() {
      await broker?.close();
      broker = undefined;
    },
    async startBroker(options = {}) {
      if (broker) throw new Error('the broker is running');
      if (options.loseData) rmSync(brokerDataDir, { recursive: true, force: true });
      mkdirSync(brokerDataDir, { recursive: true });
      broker = await startBroker({ port: brokerPort, dataDir: brokerDataDir });
    },
    async kill(service: string, whileStarting?: () => Promise<void>) {
      const killedPid = platform.pids()[service];
      if (!killedPid) throw new Error(`no running ${service}`);
      const killedAt = Date.now();
      process.kill(killedPid, 'SIGKILL');
      await until(() => platform.pids()[service] !== killedPid, `${service} to be restarted`, 60_000, 100);
      await whileStarting?.();
      await until(() => serviceHealthy(platform, service), `${service} to answer /health again`, 90_000, 200);
      return { killedPid, restartedInMs: Date.now() - killedAt };
    },
    tempDir(name: string) {
      const dir = mkdtempSync(path.join(root, `${name}-`));
      dirs.push(dir);
      return dir;
    },
    async destroy() {
      s3.setMode({ kind: 'pass' });
      postgres.setMode({ kind: 'pass' });
      await platform.destroy();
      await Promise.all([s3.close(), postgres.close(), broker?.close(), s3Direct.close(), replica.close()]);
      for (const dir of dirs.reverse()) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The jobs a spec file ran, whose Kafka story its shared assertions check. */
export interface TrackedJobs {
  backups: string[];
  restores: string[];
}

/** A spec file's platform, shared by its cases (see useChaosPlatform). */
export interface ChaosFile {
  /** The platform (started before the file's first case). */
  readonly chaos: ChaosPlatform;
  /** Jobs for the shared assertions to look at. */
  track(jobs: Partial<TrackedJobs>): void;
  /**
   * The assertions every case shares, once over every job tracked since the last call: `arca
   * check` clean (every pack, every chunk), the dedupe index naming no pack the store lacks, and
   * the Kafka story of each job. Runs after the file's last case; a case that is about to lose
   * the broker's log calls it first. Returns the check's result.
   */
  settle(): Promise<CheckResult>;
}

/**
 * One chaos platform per spec file: started before its first case, the shared assertions
 * (ChaosFile.settle) run over every job after its last case, then stopped. The check reads every
 * pack, so running it once per file rather than once per case keeps the suite's time linear in
 * its cases.
 */
export function useChaosPlatform(extraEnv: NodeJS.ProcessEnv = {}): ChaosFile {
  let chaos: ChaosPlatform | undefined;
  let jobs: TrackedJobs = { backups: [], restores: [] };
  const file: ChaosFile = {
    get chaos() {
      if (!chaos) throw new Error('the chaos platform is not started (used outside a case?)');
      return chaos;
    },
    track(more) {
      jobs.backups.push(...(more.backups ?? []));
      jobs.restores.push(...(more.restores ?? []));
    },
    async settle() {
      const started = Date.now();
      const settled = jobs;
      jobs = { backups: [], restores: [] };
      const check = await expectCheckClean(file.chaos);
      await expectStoreConsistent(file.chaos);
      await expectKafkaStory(file.chaos, settled);
      process.stdout.write(`[chaos] shared assertions over ${settled.backups.length} backup(s) and ${settled.restores.length} restore(s): ${Date.now() - started} ms\n`);
      return check;
    },
  };
  beforeAll(async () => {
    const started = Date.now();
    chaos = await startChaosPlatform(extraEnv);
    process.stdout.write(`[chaos] platform started in ${Date.now() - started} ms\n`);
  }, 150_000);
  afterAll(async () => {
    try {
      if (chaos && jobs.backups.length + jobs.restores.length > 0) await file.settle();
    } finally {
      await chaos?.destroy();
    }
  }, 240_000);
  return file;
}

/** A service's own /health (its port is in the platform's environment). */
export async function serviceHealthy(platform: TestPlatform, service: string): Promise<boolean> {
  const port = platform.env[portVariable(service)];
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
  } catch {
    return false;
  }
}
