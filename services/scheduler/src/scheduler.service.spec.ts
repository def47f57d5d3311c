import { createEvent, PayloadOf, PolicySpec, Topic, TOPICS } from '@arca/contracts';
import { Messaging1763999999000, Outbox, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { FakeClock } from '@arca/schedule';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobEntity } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';
import { JobOutcomesService } from './job-outcomes.service';
import { SchedulerService } from './scheduler.service';
import { SCHEDULER_MIGRATIONS } from './schema';

/**
 * The scheduler on the real Postgres, on fake clocks: two instances, each with its own DataSource
 * (its own connection pool, as two processes would have), share one schema.
 */
const schema = createTestSchema('scheduler');
const GROUP = 'scheduler';
const START = '2026-05-01T00:00:30Z';

interface Instance {
  dataSource: DataSource;
  clock: FakeClock;
  scheduler: SchedulerService;
  outcomes: JobOutcomesService;
}

let a: Instance;
let b: Instance;

async function instance(): Promise<Instance> {
  const dataSource = await createServiceDataSource({
    url: testDatabaseUrl(), schema: schema.schema, entities: [ScheduleEntity, JobEntity, OutboxEntity, ProcessedEventEntity],
    migrations: [Messaging1763999999000, ...SCHEDULER_MIGRATIONS],
  });
  const clock = new FakeClock(START);
  const outbox = new Outbox();
  return { dataSource, clock, scheduler: new SchedulerService(dataSource, outbox, clock), outcomes: new JobOutcomesService(dataSource, outbox, clock) };
}

beforeAll(async () => {
  a = await instance();
  b = await instance(); // migrations already ran: the second instance finds the schema ready
});

afterAll(async () => {
  await a?.dataSource.destroy();
  await b?.dataSource.destroy();
  await schema.drop();
});

beforeEach(async () => {
  for (const table of ['jobs', 'schedules', 'outbox']) await a.dataSource.query(`DELETE FROM "${schema.schema}".${table}`);
  a.clock.set(START);
  b.clock.set(START);
});

const spec = (over: Partial<PolicySpec> = {}): PolicySpec => ({
  name: 'p', source: { kind: 'directory', path: '/data' }, schedule: { cron: '* * * * *', timezone: 'UTC' }, rpoMinutes: 525_600, retention: { keepLast: 3 }, ...over,
});

async function createPolicy(over: Partial<PolicySpec> = {}, version = 1, policyId = randomUUID()): Promise<string> {
  await a.scheduler.applyPolicyChanged(createEvent(TOPICS.policyChanged, { policyId, version, spec: spec(over), updatedAt: a.clock.now().toISOString() }), GROUP);
  return policyId;
}

/** An event as ingest would publish it, at the fake clock's time. */
function ingestEvent<T extends Topic>(topic: T, payload: PayloadOf<T>) {
  return { ...createEvent(topic, payload, { jobId: (payload as { jobId?: string }).jobId }), occurredAt: a.clock.now().toISOString() };
}

async function published<T extends Topic>(topic: T): Promise<Array<PayloadOf<T>>> {
  const rows = await a.dataSource.getRepository(OutboxEntity).find({ where: { topic }, order: { id: 'ASC' } });
  return rows.map((r) => (r.envelope as { payload: PayloadOf<T> }).payload);
}

const jobs = () => a.dataSource.getRepository(JobEntity).find({ order: { requestedAt: 'ASC', attempt: 'ASC' } });
const at = (iso: string) => new Date(iso);

/** Both instances tick at once at every step, their clocks a little apart, as two processes would. */
async function tickBoth(steps: number, stepMs: number, skewMs = 250): Promise<void> {
  for (let i = 0; i < steps; i++) {
    a.clock.advance(stepMs);
    b.clock.set(new Date(a.clock.now().getTime() - skewMs));
    await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
  }
}

describe('exactly one job per due time with two schedulers', () => {
  it('two instances ticking concurrently for two simulated hours request each due time once', async () => {
    const everyMinute = await Promise.all([1, 2, 3].map(() => createPolicy()));
    const every5 = await createPolicy({ schedule: { cron: '*/5 * * * *', timezone: 'UTC' } });
    let byA = 0;
    let byB = 0;
    for (let i = 0; i < 360; i++) { // 360 steps of 20 s: 00:00:30 → 02:00:30
      a.clock.advance(20_000);
      b.clock.set(new Date(a.clock.now().getTime() - 250));
      const [ra, rb] = await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
      byA += ra.backups;
      byB += rb.backups;
    }
    const all = await jobs();
    const requested = await published(TOPICS.backupRequested);
    // every minute from 00:01 to 02:00 for three policies, every five minutes for one
    expect(all.length).toBe(3 * 120 + 24);
    expect(byA + byB).toBe(all.length);
    expect(requested.length).toBe(all.length);
    expect(new Set(requested.map((r) => r.jobId)).size).toBe(all.length);
    for (const policyId of everyMinute) {
      const due = all.filter((j) => j.policyId === policyId).map((j) => j.dueAt!.getTime()).sort((x, y) => x - y);
      expect(due).toEqual(Array.from({ length: 120 }, (_, k) => at('2026-05-01T00:01:00Z').getTime() + k * 60_000));
    }
    expect(all.filter((j) => j.policyId === every5).length).toBe(24);
  });
});

describe('missed runs after downtime', () => {
  it('"once" runs one job for all the missed due times, "skip" none; both then resume the schedule', async () => {
    const hourly = { schedule: { cron: '0 * * * *', timezone: 'UTC' } };
    const once = await createPolicy({ ...hourly, catchUp: 'once' });
    const skip = await createPolicy({ ...hourly, catchUp: 'skip' });
    a.clock.set('2026-05-01T05:20:00Z'); // down from 00:00:30: 01:00 … 05:00 were missed
    await a.scheduler.tick();
    await a.scheduler.tick();
    expect((await jobs()).map((j) => j.policyId)).toEqual([once]);
    a.clock.set('2026-05-01T06:00:01Z');
    await a.scheduler.tick();
    const all = await jobs();
    expect(all.filter((j) => j.policyId === once).map((j) => j.dueAt!.toISOString())).toEqual(['2026-05-01T01:00:00.000Z', '2026-05-01T06:00:00.000Z']);
    expect(all.filter((j) => j.policyId === skip).map((j) => j.dueAt!.toISOString())).toEqual(['2026-05-01T06:00:00.000Z']);
  });
});

describe('backup windows', () => {
  const night = { schedule: { cron: '0 1 * * *', timezone: 'UTC' }, backupWindow: { start: '01:00', end: '02:00' } };

  it('a job still running at the window end is cancelled once when the policy says "cancel", and left alone for "finish"', async () => {
    const cancel = await createPolicy({ ...night, windowEnd: 'cancel' });
    const finish = await createPolicy({ ...night, windowEnd: 'finish' });
    a.clock.set('2026-05-01T01:00:01Z');
    await a.scheduler.tick();
    const requested = await published(TOPICS.backupRequested);
    expect(requested.map((r) => r.notAfter)).toEqual(['2026-05-01T02:00:00.000Z', '2026-05-01T02:00:00.000Z']);
    for (const r of requested) await a.outcomes.applyStarted(ingestEvent(TOPICS.backupStarted, { jobId: r.jobId, source: r.source, worker: 'w:1' }), GROUP);

    a.clock.set('2026-05-01T01:59:59Z');
    await tickBoth(1, 0);
    expect(await published(TOPICS.backupCancelRequested)).toEqual([]);
    a.clock.set('2026-05-01T02:00:00Z');
    await tickBoth(5, 1000);
    const cancelJob = requested.find((r) => r.policyId === cancel)!.jobId;
    expect(await published(TOPICS.backupCancelRequested)).toEqual([{ jobId: cancelJob, reason: expect.stringMatching(/window closed at 2026-05-01T02:00:00.000Z/) }]);

    await a.outcomes.applyCancelled(ingestEvent(TOPICS.backupCancelled, { jobId: cancelJob, policyId: cancel, reason: 'window closed' }), GROUP);
    const byPolicy = Object.fromEntries((await jobs()).map((j) => [j.policyId, j.status]));
    expect(byPolicy).toEqual({ [cancel]: 'cancelled', [finish]: 'running' });
  });

  it('never starts a job outside its window: a due time reached after the window closed waits for the next opening', async () => {
    const policy = await createPolicy({ ...night, catchUp: 'once' });
    a.clock.set('2026-05-01T02:03:00Z'); // down over the whole window (within the grace of the 01:00 due time, but the window is shut)
    await a.scheduler.tick();
    expect(await jobs()).toEqual([]);
    expect((await a.dataSource.getRepository(ScheduleEntity).findOneByOrFail({ policyId: policy })).nextDueAt).toEqual(at('2026-05-02T01:00:00Z'));
    a.clock.set('2026-05-02T01:00:02Z');
    await a.scheduler.tick();
    expect((await jobs()).map((j) => j.dueAt!.toISOString())).toEqual(['2026-05-02T01:00:00.000Z']);
  });
});

describe('retries', () => {
  it('retries a failed scheduled backup with doubling backoff up to maxAttempts, each attempt a new job linked to the first', async () => {
    const policy = await createPolicy({ schedule: { cron: '0 3 * * *', timezone: 'UTC' }, retry: { maxAttempts: 3, backoffSeconds: 60 } });
    a.clock.set('2026-05-01T03:00:01Z');
    await a.scheduler.tick();
    const fail = async () => {
      const last = (await published(TOPICS.backupRequested)).at(-1)!;
      await a.outcomes.applyFailed(ingestEvent(TOPICS.backupFailed, { jobId: last.jobId, policyId: policy, reason: 'disk on fire', stage: 'read' }), GROUP);
      return last;
    };
    const first = await fail();
    expect(first.attempt).toBe(1);
    a.clock.advance(59_000);
    await tickBoth(1, 0);
    expect((await published(TOPICS.backupRequested)).length).toBe(1); // backoff not over
    a.clock.advance(2_000);
    await tickBoth(3, 0);
    expect((await published(TOPICS.backupRequested)).map((r) => r.attempt)).toEqual([1, 2]);
    await fail();
    a.clock.advance(119_000);
    await tickBoth(1, 0);
    expect((await published(TOPICS.backupRequested)).length).toBe(2); // the second wait is twice as long
    a.clock.advance(2_000);
    await tickBoth(3, 0);
    await fail();
    a.clock.advance(24 * 3600_000 - 10 * 60_000); // no fourth attempt, ever (stopping short of the next day's due time)
    await tickBoth(1, 0);

    const requested = await published(TOPICS.backupRequested);
    expect(requested.map((r) => r.attempt)).toEqual([1, 2, 3]);
    const job = await a.scheduler.job(requested[2].jobId, 'default');
    expect(job).toMatchObject({ attempt: 3, retryOf: first.jobId, status: 'failed' });
    expect(job.attempts.map((x) => [x.id, x.attempt, x.status])).toEqual(requested.map((r) => [r.jobId, r.attempt, 'failed']));
    expect((await a.scheduler.job(first.jobId, 'default')).attempts).toHaveLength(3);
  });

  it('does not retry without a retry rule', async () => {
    const policy = await createPolicy({ schedule: { cron: '0 3 * * *', timezone: 'UTC' } });
    a.clock.set('2026-05-01T03:00:01Z');
    await a.scheduler.tick();
    const [r] = await published(TOPICS.backupRequested);
    await a.outcomes.applyFailed(ingestEvent(TOPICS.backupFailed, { jobId: r.jobId, policyId: policy, reason: 'no', stage: 'read' }), GROUP);
    a.clock.advance(3600_000);
    await a.scheduler.tick();
    expect((await jobs()).map((j) => j.status)).toEqual(['failed']);
  });
});

describe('RPO watch', () => {
  it('announces a breach once and its end once, when a backup succeeds', async () => {
    const policy = await createPolicy({ schedule: { cron: '0 0 1 1 *', timezone: 'UTC' }, rpoMinutes: 60 });
    await tickBoth(6, 10 * 60_000); // 01:00:30 — exactly one RPO since the policy became known
    expect(await published(TOPICS.policyRpoBreached)).toEqual([]);
    await tickBoth(12, 10 * 60_000);
    expect(await published(TOPICS.policyRpoBreached)).toEqual([
      { policyId: policy, lastSuccessAt: null, rpoMinutes: 60, detectedAt: expect.stringMatching(/^2026-05-01T01:10:/) },
    ]);
    const jobId = randomUUID();
    await a.outcomes.applyCompleted(ingestEvent(TOPICS.backupCompleted, {
      jobId, snapshotId: 'a'.repeat(64), policyId: policy, source: { kind: 'directory', path: '/data' }, manifestKey: 'k', stats: {} as never, errors: 0,
    }), GROUP);
    const successAt = a.clock.now().toISOString();
    expect(await published(TOPICS.policyRpoRestored)).toEqual([
      { policyId: policy, lastSuccessAt: successAt, rpoMinutes: 60, breachedAt: expect.stringMatching(/^2026-05-01T01:10:/), restoredAt: successAt },
    ]);
    await tickBoth(5, 10 * 60_000);
    expect(await published(TOPICS.policyRpoBreached)).toHaveLength(1);
    await tickBoth(2, 10 * 60_000); // 70 minutes after the success
    expect(await published(TOPICS.policyRpoBreached)).toHaveLength(2);
    expect((await published(TOPICS.policyRpoBreached))[1].lastSuccessAt).toBe(successAt);
  });
});

describe('RTO watch', () => {
  it('announces a breach once when a test restore measures over rtoMinutes, and its end once, when one is within it', async () => {
    const policy = await createPolicy({ schedule: { cron: '0 0 1 1 *', timezone: 'UTC' }, rtoMinutes: 30 });
    const verified = (minutes: number, policyId = policy) => {
      const jobId = randomUUID();
      return { jobId, event: ingestEvent(TOPICS.restoreVerified, { jobId, policyId, snapshotId: 'b'.repeat(64), sample: 0, files: 1, bytesRestored: 10, durationMs: 5, estimatedFullRestoreMs: minutes * 60_000 }) };
    };
    await a.outcomes.applyVerified(verified(30).event, GROUP); // exactly the target: met
    expect(await published(TOPICS.policyRtoBreached)).toEqual([]);
    const slow = verified(45);
    await a.outcomes.applyVerified(slow.event, GROUP);
    await a.outcomes.applyVerified(slow.event, GROUP); // the same event again: handled once
    a.clock.advance(60_000);
    await b.outcomes.applyVerified(verified(50).event, GROUP); // still the same breach
    expect(await published(TOPICS.policyRtoBreached)).toEqual([
      { policyId: policy, rtoMinutes: 30, jobId: slow.jobId, snapshotId: 'b'.repeat(64), measuredMs: 45 * 60_000, detectedAt: START.replace('Z', '.000Z') },
    ]);
    const fast = verified(10);
    await a.outcomes.applyVerified(fast.event, GROUP);
    expect(await published(TOPICS.policyRtoRestored)).toEqual([
      { policyId: policy, rtoMinutes: 30, jobId: fast.jobId, snapshotId: 'b'.repeat(64), measuredMs: 10 * 60_000, breachedAt: START.replace('Z', '.000Z'), restoredAt: a.clock.now().toISOString() },
    ]);
    await a.outcomes.applyVerified(verified(31).event, GROUP); // a new breach
    expect(await published(TOPICS.policyRtoBreached)).toHaveLength(2);
    // Without a target (or of a policy the scheduler does not know) a test restore announces nothing.
    const untargeted = await createPolicy({ schedule: { cron: '0 0 1 1 *', timezone: 'UTC' } });
    await a.outcomes.applyVerified(verified(999, untargeted).event, GROUP);
    await a.outcomes.applyVerified(verified(999, randomUUID()).event, GROUP);
    expect(await published(TOPICS.policyRtoBreached)).toHaveLength(2);
  });
});

describe('prune schedule', () => {
  it('publishes prune.requested once per due time of the prune schedule, with the policy and its threshold, beside the backups', async () => {
    const policy = await createPolicy({ schedule: { cron: '0 4 * * *', timezone: 'UTC' }, prune: { cron: '0 4 * * *', maxUnusedPercent: 10 } });
    await tickBoth(2 * 24 * 6, 10 * 60_000); // two days
    const prunes = await published(TOPICS.pruneRequested);
    expect(prunes).toEqual([
      { jobId: expect.any(String), policyId: policy, maxUnusedPercent: 10 },
      { jobId: expect.any(String), policyId: policy, maxUnusedPercent: 10 },
    ]);
    const all = await jobs();
    expect(all.filter((j) => j.kind === 'prune').map((j) => j.dueAt!.toISOString())).toEqual(['2026-05-01T04:00:00.000Z', '2026-05-02T04:00:00.000Z']);
    expect(all.filter((j) => j.kind === 'backup').map((j) => j.dueAt!.toISOString())).toEqual(['2026-05-01T04:00:00.000Z', '2026-05-02T04:00:00.000Z']);
  });
});

describe('test restore schedule', () => {
  it('publishes restore.verification_requested once per due time of verifyRestore, naming the policy and its sample, beside the backups and prunes', async () => {
    const policy = await createPolicy({
      schedule: { cron: '0 4 * * *', timezone: 'UTC' }, prune: { cron: '0 4 * * *' }, verifyRestore: { cron: '30 5 * * *', sample: 25 },
    });
    await tickBoth(2 * 24 * 6, 10 * 60_000); // two days
    expect(await published(TOPICS.restoreVerificationRequested)).toEqual([
      { jobId: expect.any(String), policyId: policy, sample: 25, trigger: 'schedule' },
      { jobId: expect.any(String), policyId: policy, sample: 25, trigger: 'schedule' },
    ]);
    const all = await jobs();
    expect(all.filter((j) => j.kind === 'verify').map((j) => j.dueAt!.toISOString())).toEqual(['2026-05-01T05:30:00.000Z', '2026-05-02T05:30:00.000Z']);
    expect(all.filter((j) => j.kind === 'prune').length).toBe(2);
  });
});
