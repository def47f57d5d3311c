import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { arca } from './support/cli';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * A PostgreSQL source's password is held by the policy service (sealed in its own table) and read
 * by the ingest worker at job time: no Kafka message, log line, audit entry or other table has it.
 */
const stack = usePlatform();

const PASSWORD = `pw-${randomBytes(9).toString('hex')}`; // the policy's
const INLINE_PASSWORD = `pw-${randomBytes(9).toString('hex')}`; // a one-off `arca backup --postgres`'s
const FAKE_PASSWORD = `pw-${randomBytes(9).toString('hex')}`; // the fake server's
const ALL = [PASSWORD, INLINE_PASSWORD, FAKE_PASSWORD];

/** Every form a password could take in bytes: as is, URL-encoded, hex (a bytea column), base64. */
function leaks(text: string): string[] {
  return ALL.filter((p) => [p, encodeURIComponent(p), Buffer.from(p).toString('hex'), Buffer.from(p).toString('base64')].some((form) => text.includes(form)));
}

const policy = (name: string, connection: string) => ({
  name, source: { kind: 'postgres', connection }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 3 },
});

async function runPolicy(policyId: string): Promise<{ status: string; snapshotId: string | null; error?: string }> {
  const run = await until(async () => {
    const r = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { policyId });
    return r.status === 202 ? r.body : undefined;
  }, 'the scheduler to know the policy');
  return until(async () => {
    const r = await api<{ status: string; snapshotId: string | null; error?: string }>(stack.platform, 'GET', `/jobs/${run.jobId}`);
    return ['completed', 'failed'].includes(r.body.status) ? r.body : undefined;
  }, `job ${run.jobId} to end`, 90_000);
}

/**
 * A server speaking just enough of PostgreSQL's protocol to ask for a cleartext password and
 * refuse the login: what pg_dump sends it is what the ingest worker handed pg_dump.
 */
async function passwordCatcher(): Promise<{ port: number; received: string[]; close: () => void }> {
  const received: string[] = [];
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
          const length = buffer.readInt32BE(0);
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === 80877103 || code === 80877104) { socket.write('N'); continue; } // no SSL, no GSS encryption
          started = true;
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        const length = buffer.readInt32BE(1);
        if (buffer[0] === 0x70) received.push(buffer.subarray(5, 1 + length - 1).toString('utf8'));
        buffer = buffer.subarray(1 + length);
        const fields = Buffer.from('SFATAL\0C28P01\0Mthe catcher refuses every login\0\0');
        const error = Buffer.alloc(5); error[0] = 0x45; error.writeInt32BE(4 + fields.length, 1);
        socket.end(Buffer.concat([error, fields]));
        return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, received, close: () => server.close() };
}

describe('secrets never travel in events', () => {
  it('backs up a database of a policy with a password, reading it from the policy service at job time, and the dump restores', async () => {
    const admin = new Client({ connectionString: stack.platform.env.DATABASE_URL });
    await admin.connect();
    const name = `arca_e2e_secret_${randomBytes(3).toString('hex')}`;
    const url = (db: string, password?: string) => {
      const u = new URL(stack.platform.env.DATABASE_URL!);
      u.pathname = `/${db}`;
      if (password) { u.username ||= 'postgres'; u.password = password; }
      return u.toString();
    };
    const catcher = await passwordCatcher();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
      const db = new Client({ connectionString: url(name) });
      await db.connect();
      await db.query(`CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL, qty integer)`);
      await db.query(`INSERT INTO orders (item, qty) SELECT 'item ' || g, g FROM generate_series(1, 2000) g`);
      const digest = `SELECT md5(string_agg(t::text, ',' ORDER BY id)) AS digest, count(*) FROM orders t`;
      const before = (await db.query(digest)).rows[0];
      await db.end();

      // The local server trusts loopback and ignores the password; the catcher below proves it is sent.
      const created = await api<{ id: string; source: { connection: string; secretRef?: string } }>(stack.platform, 'POST', '/policies', policy('e2e-secret-shop', url(name, PASSWORD)));
      expect(created.status).toBe(201);
      expect(created.body.source.connection).toContain(':***@');
      expect(created.body.source.secretRef).toBeUndefined();
      const job = await runPolicy(created.body.id);
      expect(job, job.error).toMatchObject({ status: 'completed' });

      // A one-off backup with a password given inline goes the same way (a job:<id>:source secret).
      const inline = JSON.parse((await arca(stack.platform.gatewayUrl, ['backup', '--postgres', url(name, INLINE_PASSWORD), '--json'])).stdout) as { snapshotId: string };
      expect(inline.snapshotId).toMatch(/^[0-9a-f]{64}$/);

      // The password reaches pg_dump: a server that asks for it receives it.
      const caught = await api<{ id: string }>(stack.platform, 'POST', '/policies', policy('e2e-secret-catcher', `postgres://app:${FAKE_PASSWORD}@127.0.0.1:${catcher.port}/shop?sslmode=disable`));
      expect(caught.status).toBe(201);
      const refused = await runPolicy(caught.body.id);
      expect(refused.status).toBe('failed');
      expect(catcher.received).toEqual([FAKE_PASSWORD]);

      // The backup restores: the dump loaded into an empty database has the same rows.
      await admin.query(`DROP DATABASE ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      const dump = (await arca(stack.platform.gatewayUrl, ['cat', job.snapshotId!, `/${name}.sql`])).stdout;
      await new Promise<void>((resolve, reject) => {
        const psql = spawn('psql', ['--quiet', '--set', 'ON_ERROR_STOP=1', '--dbname', url(name)], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        psql.stderr.on('data', (d) => { stderr += d; });
        psql.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql failed: ${stderr}`))));
        psql.stdin.end(dump);
      });
      const restored = new Client({ connectionString: url(name) });
      await restored.connect();
      expect((await restored.query(digest)).rows[0]).toEqual(before);
      await restored.end();
    } finally {
      catcher.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('has no password in any message of any topic, read from the beginning', async () => {
    const kafka = new Kafka({ clientId: 'e2e-secrets', brokers: [stack.platform.env.KAFKA_BROKERS!], logLevel: logLevel.NOTHING });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    const topics = (await kafkaAdmin.listTopics()).filter((t) => !t.startsWith('__'));
    const ends = new Map<string, number>();
    for (const topic of topics) {
      for (const p of await kafkaAdmin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, Number(p.high));
    }
    await kafkaAdmin.disconnect();
    expect(topics).toEqual(expect.arrayContaining(['policy.changed', 'backup.requested', 'backup.started', 'backup.failed', 'audit.recorded']));

    const consumer = kafka.consumer({ groupId: `e2e-secrets-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200 });
    const seen = new Map<string, number>();
    const found: string[] = [];
    let messages = 0;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        messages++;
        const text = [message.key?.toString('latin1') ?? '', message.value?.toString('latin1') ?? '', ...Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${v?.toString() ?? ''}`)].join('\n');
        for (const leak of leaks(text)) found.push(`${topic}@${message.offset}: ${leak}`);
        seen.set(`${topic}/${partition}`, Number(message.offset) + 1);
      },
    });
    try {
      await until(() => [...ends].every(([key, end]) => (seen.get(key) ?? 0) >= end), 'every topic to be read to its end', 60_000, 200);
    } finally {
      await consumer.disconnect();
    }
    expect(messages).toBeGreaterThan(20);
    expect(found).toEqual([]);
  });

  it('has no password in the logs, the audit log, the API or any table of the platform (the policy service keeps it sealed)', async () => {
    expect(leaks(stack.platform.logs.join('\n'))).toEqual([]);
    const audit = await api<unknown>(stack.platform, 'GET', '/audit/export?format=json');
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('policy.create');
    expect(leaks(JSON.stringify(audit.body))).toEqual([]);
    for (const path of ['/policies', '/jobs', '/snapshots']) expect(leaks(JSON.stringify((await api(stack.platform, 'GET', path)).body)), path).toEqual([]);

    const db = new Client({ connectionString: stack.platform.env.DATABASE_URL });
    await db.connect();
    try {
      const tables = (await db.query<{ s: string; t: string }>(`SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema LIKE $1 AND table_type = 'BASE TABLE'`, [`${stack.platform.schemaPrefix}\\_%`])).rows;
      expect(tables.map((r) => r.t)).toContain('policy_secrets');
      for (const { s, t } of tables) {
        const rows = (await db.query<{ row: string }>(`SELECT x::text AS row FROM "${s}"."${t}" x`)).rows.map((r) => r.row).join('\n');
        expect(leaks(rows), `${s}.${t}`).toEqual([]);
      }
      const held = await db.query(`SELECT ref FROM "${stack.platform.schemaPrefix}_policy".policy_secrets ORDER BY ref`);
      expect(held.rows.map((r) => r.ref.replace(/:[0-9a-f-]{36}:/, ':<id>:'))).toEqual(['job:<id>:source', 'policy:<id>:source', 'policy:<id>:source']);
    } finally {
      await db.end();
    }
  });
});
