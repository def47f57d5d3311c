import { createEvent, PolicySpec, TOPICS, validateEvent } from '@arca/contracts';
import { systemClock } from '@arca/schedule';
import { Messaging1763999999000, Outbox, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createServiceDataSource, createTestSchema, testDatabaseUrl } from '@arca/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEntity } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';
import { requestedObjectLock, scheduleObjectLock } from './object-lock';
import { SchedulerService } from './scheduler.service';
import { SCHEDULER_MIGRATIONS } from './schema';

const spec = (over: Partial<PolicySpec>): PolicySpec => ({
  name: 'worm', source: { kind: 'directory', path: '/data' }, schedule: { cron: '0 2 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepDaily: 7, keepWeekly: 4 }, ...over,
});

describe('a policy\'s object lock in the schedule row and backup.requested', () => {
  it('resolves the period when the policy changes, and leaves the field out without a lock', () => {
    expect(scheduleObjectLock(spec({ objectLock: { mode: 'compliance' } }))).toEqual({ mode: 'compliance', retainUntilDays: 28 });
    expect(scheduleObjectLock(spec({ objectLock: { mode: 'governance', days: 400 } }))).toEqual({ mode: 'governance', retainUntilDays: 400 });
    expect(scheduleObjectLock(spec({}))).toBeNull();
    expect(requestedObjectLock({ objectLock: null })).toEqual({});
  });
});

describe('scheduler on Postgres', () => {
  const schema = createTestSchema('scheduler_lock');
  let dataSource: DataSource;
  let scheduler: SchedulerService;

  beforeAll(async () => {
    dataSource = await createServiceDataSource({
      url: testDatabaseUrl(), schema: schema.schema, entities: [ScheduleEntity, JobEntity, OutboxEntity, ProcessedEventEntity],
      migrations: [Messaging1763999999000, ...SCHEDULER_MIGRATIONS],
    });
    scheduler = new SchedulerService(dataSource, new Outbox(), systemClock);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await schema.drop();
  });

  const requested = async (jobId: string) => {
    const row = await dataSource.getRepository(OutboxEntity).findOneByOrFail({ topic: TOPICS.backupRequested, key: jobId });
    return row.envelope;
  };

  it('keeps the lock in the new column and sends it with every backup of the policy; a policy without one sends none', async () => {
    const locked = randomUUID();
    const plain = randomUUID();
    await scheduler.applyPolicyChanged(createEvent(TOPICS.policyChanged, { policyId: locked, version: 1, updatedAt: new Date().toISOString(), spec: spec({ objectLock: { mode: 'compliance' } }) }), 'g');
    await scheduler.applyPolicyChanged(createEvent(TOPICS.policyChanged, { policyId: plain, version: 1, updatedAt: new Date().toISOString(), spec: spec({}) }), 'g');
    expect((await dataSource.getRepository(ScheduleEntity).findOneByOrFail({ policyId: locked })).objectLock).toEqual({ mode: 'compliance', retainUntilDays: 28 });

    const { jobId } = await scheduler.requestManualBackup({ policyId: locked }, 'default', 'tester');
    const envelope = await requested(jobId);
    expect(envelope.payload).toMatchObject({ policyId: locked, objectLock: { mode: 'compliance', retainUntilDays: 28 } });
    // What ingest will receive validates against the contract.
    expect(validateEvent(TOPICS.backupRequested, envelope).ok).toBe(true);

    const other = await scheduler.requestManualBackup({ policyId: plain }, 'default', 'tester');
    expect((await requested(other.jobId)).payload).not.toHaveProperty('objectLock');
  });
});
