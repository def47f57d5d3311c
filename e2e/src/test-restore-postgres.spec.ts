import { createEvent, TOPICS } from '@arca/contracts';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arca } from './support/cli';
import { damageNewDataPacks } from './support/damage';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * Test restores of a PostgreSQL source: the dump is restored and verified chunk by chunk, loaded
 * into a scratch database arca_verify_<job> on the source's server, counted and dropped; an RTO
 * breach (a test restore measured over rtoMinutes: one is played onto Kafka as ingest would
 * publish it, since a real one of a small database is never slower than the 1-minute minimum
 * target) is announced once and named in the compliance report, and ends with a real one.
 */
const fixture = usePlatform();
type Envelope = { eventId: string; type: string; payload: Record<string, unknown> & { jobId?: string; policyId?: string } };
const events: Envelope[] = [];
let consumer: Consumer;
let kafka: Kafka;
const WATCHED = [TOPICS.restoreVerified, TOPICS.restoreVerificationFailed, TOPICS.policyRtoBreached, TOPICS.policyRtoRestored];

beforeAll(async () => {
  kafka = new Kafka({ clientId: 'e2e-pg-verify', brokers: [fixture.platform.env.KAFKA_BROKERS!], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: WATCHED.map((topic) => ({ topic })) });
  await admin.disconnect();
  consumer = kafka.consumer({ groupId: `e2e-pg-verify-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: WATCHED, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { events.push(JSON.parse(message.value!.toString()) as Envelope); } });
}, 60_000);

afterAll(async () => {
  await consumer?.disconnect();
}, 30_000);

/** Kafka delivers at least once: a topic's events counted by eventId. */
function eventsOf(type: string, match: (e: Envelope) => boolean): Envelope[] {
  const seen = new Map<string, Envelope>();
  for (const e of events) if (e.type === type && match(e)) seen.set(e.eventId, e);
  return [...seen.values()];
}

const outcomeOf = (jobId: string) => until(async () => {
  const e = events.find((x) => (x.type === TOPICS.restoreVerified || x.type === TOPICS.restoreVerificationFailed) && x.payload.jobId === jobId);
  return e;
}, `the outcome of test restore ${jobId}`, 90_000, 200);

describe('PostgreSQL test restores', () => {
  it('loads the dump into a scratch database, counts it and drops it; reports RTO breaches once; fails on a damaged dump leaving no scratch database', async () => {
    const platform = fixture.platform;
    const url = (db: string) => { const u = new URL(platform.env.DATABASE_URL!); u.pathname = `/${db}`; return u.toString(); };
    const admin = new Client({ connectionString: platform.env.DATABASE_URL });
    await admin.connect();
    const scratchLeft = async () => (await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'arca\\_verify\\_%'`)).rows.map((r) => r.datname as string);
    const name = `arca_e2e_verify_${randomBytes(3).toString('hex')}`;
    const marker = path.join(fixture.tempDir('pg-verify'), 'before-backup');
    try {
      await admin.query(`CREATE DATABASE ${name}`);
      const db = new Client({ connectionString: url(name) });
      await db.connect();
      await db.query(`CREATE SCHEMA shop`);
      await db.query(`CREATE TABLE shop.orders (id serial PRIMARY KEY, ref text NOT NULL, note text)`);
      // md5 text compresses only about twofold: the dump's data pack is large enough to damage on its own
      await db.query(`INSERT INTO shop.orders (ref, note) SELECT md5(g::text), md5((g * 7)::text) || md5((g * 13)::text) FROM generate_series(1, 12000) g`);
      await db.query(`CREATE TABLE public.customers (id int PRIMARY KEY, name text)`);
      await db.query(`INSERT INTO public.customers SELECT g, 'customer ' || g FROM generate_series(1, 7) g`);
      await db.end();

      const created = await api<{ id: string }>(platform, 'POST', '/policies', {
        name: 'pg-verified', source: { kind: 'postgres', connection: url(name) }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440,
        retention: { keepLast: 3 }, verifyRestore: { cron: '0 6 * * 1', sample: 5 }, rtoMinutes: 1,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const policyId = created.body.id;
      writeFileSync(marker, 'packs written after this are the backup\'s');
      await new Promise((resolve) => setTimeout(resolve, 1100)); // find -newer compares whole seconds on some filesystems
      const backup = await until(async () => {
        const r = await api<{ jobId: string }>(platform, 'POST', '/jobs', { policyId });
        return r.status === 202 ? r : undefined;
      }, 'the scheduler to run the new policy', 30_000, 300);
      const done = await until(async () => {
        const job = (await api<{ status: string; error: string | null }>(platform, 'GET', `/jobs/${backup.body.jobId}`)).body;
        return ['completed', 'failed'].includes(job.status) ? job : undefined;
      }, 'the backup', 90_000, 300);
      expect(done.status, done.error ?? '').toBe('completed');

      // A test restore (sample 5: a dump is one file, restored whole) loads and counts the database.
      const verify = async () => {
        const r = await api<{ jobId: string }>(platform, 'POST', `/policies/${policyId}/verify-restore`, { sample: 5 });
        expect(r.status, JSON.stringify(r.body)).toBe(202);
        return { jobId: r.body.jobId, outcome: await outcomeOf(r.body.jobId) };
      };
      const passed = await verify();
      expect(passed.outcome.type, JSON.stringify(passed.outcome.payload)).toBe(TOPICS.restoreVerified);
      expect(passed.outcome.payload).toMatchObject({
        policyId, files: 1,
        database: {
          scratchDatabase: `arca_verify_${passed.jobId.replace(/-/g, '').slice(0, 8)}`, tables: 2, rows: 12_007, expectedRows: 12_007,
          tableRows: [{ name: 'public.customers', rows: 7 }, { name: 'shop.orders', rows: 12_000 }],
        },
      });
      const snapshotId = passed.outcome.payload.snapshotId as string;
      expect(passed.outcome.payload.estimatedFullRestoreMs).toBeGreaterThan(0);
      expect(await scratchLeft()).toEqual([]);

      const today = new Date().toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      type Rto = { targetMinutes: number; observedMinutes: number; met: boolean; breaches: Array<{ jobId: string; measuredMinutes: number; targetMinutes: number; at: string; restoredAt: string | null }> };
      type Policy = { lastTestRestore: { jobId: string; status: string; error: string | null; database: { tables: number; rows: number } | null } | null; rto: Rto };
      const report = async () => (await api<{ policies: Policy[] }>(platform, 'GET', `/reports/compliance?from=${today}&to=${tomorrow}&policy=${policyId}`)).body.policies[0];
      const first = await until(async () => { const r = await report(); return r.lastTestRestore?.jobId === passed.jobId ? r : undefined; }, 'the test restore in the report', 30_000, 300);
      expect(first.lastTestRestore).toMatchObject({ status: 'completed', database: { tables: 2, rows: 12_007 } });
      expect(first.rto).toMatchObject({ targetMinutes: 1, met: true, breaches: [] });
      expect(first.rto.observedMinutes).toBeGreaterThan(0);
      expect(eventsOf(TOPICS.policyRtoBreached, (e) => e.payload.policyId === policyId)).toEqual([]);

      // Two test restores measured over the 1-minute target, as ingest publishes them: one breach, announced once.
      const producer = kafka.producer();
      await producer.connect();
      const slowJobs = [randomUUID(), randomUUID()];
      const playSlow = async (jobId: string, minutes: number) => {
        const event = createEvent(TOPICS.restoreVerified, { jobId, policyId, snapshotId, sample: 5, files: 1, bytesRestored: 1000, durationMs: 1000, estimatedFullRestoreMs: minutes * 60_000 }, { jobId });
        await producer.send({ topic: TOPICS.restoreVerified, messages: [{ key: jobId, value: JSON.stringify(event) }] });
        await until(async () => { const r = await api<{ status: string }>(platform, 'GET', `/jobs/${jobId}`); return r.status === 200 && r.body.status === 'completed' ? r : undefined; }, 'reporting to fold the slow test restore', 30_000, 200);
      };
      await playSlow(slowJobs[0], 90);
      const breaches = await until(async () => { const b = eventsOf(TOPICS.policyRtoBreached, (e) => e.payload.policyId === policyId); return b.length ? b : undefined; }, 'policy.rto_breached', 30_000, 200);
      expect(breaches[0].payload).toMatchObject({ policyId, rtoMinutes: 1, jobId: slowJobs[0], snapshotId, measuredMs: 90 * 60_000 });
      await playSlow(slowJobs[1], 120);
      await producer.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 3000)); // the scheduler's consumer had time to announce a second breach, were it to
      const breached = await until(async () => { const r = await report(); return r.rto.breaches.length ? r : undefined; }, 'the RTO breach in the report', 30_000, 300);
      expect(breached.rto.breaches).toEqual([{ at: breaches[0].payload.detectedAt, jobId: slowJobs[0], snapshotId, targetMinutes: 1, measuredMinutes: 90, restoredAt: null }]);
      expect(breached.rto).toMatchObject({ observedMinutes: 120, met: false }); // the newest passed test restore measured 2 h
      expect(eventsOf(TOPICS.policyRtoBreached, (e) => e.payload.policyId === policyId)).toHaveLength(1); // the second slow one is the same breach
      const text = (await arca(platform.gatewayUrl, ['report', 'compliance', '--from', today, '--to', tomorrow, '--policy', policyId])).stdout;
      expect(text).toMatch(/pg-verified: last test restore .* passed \(1 files\); RTO target 1 min, observed 120 min: BREACHED; 1 RTO breach\(es\): .* 90 min/);
      const csv = (await arca(platform.gatewayUrl, ['report', 'compliance', '--from', today, '--to', tomorrow, '--policy', policyId, '--csv'])).stdout;
      expect(csv).toContain(`,1,"${breaches[0].payload.detectedAt}: 90 min against 1 (test restore ${slowJobs[0]}), not restored by the end of the period",`);

      // A real test restore within the target ends the breach.
      const again = await verify();
      expect(again.outcome.type).toBe(TOPICS.restoreVerified);
      const restored = await until(async () => { const r = eventsOf(TOPICS.policyRtoRestored, (e) => e.payload.policyId === policyId); return r.length ? r : undefined; }, 'policy.rto_restored', 30_000, 200);
      expect(restored[0].payload).toMatchObject({ policyId, jobId: again.jobId, breachedAt: breaches[0].payload.detectedAt });
      const ended = await until(async () => { const r = await report(); return r.rto.breaches[0]?.restoredAt ? r : undefined; }, 'the breach ended in the report', 30_000, 300);
      expect(ended.rto).toMatchObject({ met: true, breaches: [{ jobId: slowJobs[0], restoredAt: restored[0].payload.restoredAt }] });
      expect(eventsOf(TOPICS.policyRtoBreached, (e) => e.payload.policyId === policyId)).toHaveLength(1);

      // A damaged dump: the test restore fails naming the dump, and leaves no scratch database.
      expect(damageNewDataPacks(platform.dataDir, marker, 20_000).length).toBeGreaterThan(0);
      const failed = await verify();
      expect(failed.outcome.type).toBe(TOPICS.restoreVerificationFailed);
      expect(failed.outcome.payload.reason).toMatch(new RegExp(`1 of 1 file\\(s\\) of snapshot ${snapshotId} did not restore whole \\(/${name}\\.sql: `));
      expect(await scratchLeft()).toEqual([]);
      const last = await until(async () => { const r = await report(); return r.lastTestRestore?.jobId === failed.jobId ? r : undefined; }, 'the failed test restore in the report', 30_000, 300);
      expect(last.lastTestRestore).toMatchObject({ status: 'failed', error: expect.stringMatching(/did not restore whole/) });
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }, 300_000);
});
