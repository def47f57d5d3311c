import { EventEnvelope, ManualBackupRequest, PolicyChanged, PolicyDeleted, runnableSourceProblem, TOPICS } from '@arca/contracts';
import { handleOnce, Outbox } from '@arca/messaging';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { JobEntity } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';
import { nextRunAfter } from './next-run';
import { requestedObjectLock, scheduleObjectLock } from './object-lock';

/** How many due schedules one tick claims at most (the rest wait for the next tick). */
const CLAIM_BATCH = 50;

@Injectable()
export class SchedulerService {
  constructor(private readonly dataSource: DataSource, private readonly outbox: Outbox) {}

  async applyPolicyChanged(event: EventEnvelope<PolicyChanged>, group: string): Promise<void> {
    const { policyId, version, spec } = event.payload;
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const current = await m.findOneBy(ScheduleEntity, { policyId });
      if (current && current.policyVersion >= version) return; // an older version arriving late
      const unchangedTiming = current && current.cron === spec.schedule.cron && current.timezone === spec.schedule.timezone
        && JSON.stringify(current.backupWindow) === JSON.stringify(spec.backupWindow ?? null);
      await m.save(ScheduleEntity, {
        policyId, policyVersion: version, cron: spec.schedule.cron, timezone: spec.schedule.timezone,
        backupWindow: spec.backupWindow ?? null, source: { ...spec.source },
        bandwidthLimitBytesPerSec: spec.bandwidthLimitBytesPerSec ?? null,
        objectLock: scheduleObjectLock(spec),
        nextDueAt: unchangedTiming ? current.nextDueAt : nextRunAfter({ cron: spec.schedule.cron, timezone: spec.schedule.timezone, window: spec.backupWindow }, new Date()),
        updatedAt: new Date(),
      });
    });
  }

  async applyPolicyDeleted(event: EventEnvelope<PolicyDeleted>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.delete(ScheduleEntity, { policyId: event.payload.policyId });
    });
  }

  /**
   * Requests a backup for every schedule that is due. Rows are claimed with FOR UPDATE SKIP LOCKED
   * and the job's (policy, due time) is unique, so however many scheduler instances tick at once,
   * each due time yields exactly one job.
   */
  async startDueJobs(now: Date): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const due = await m.getRepository(ScheduleEntity).createQueryBuilder('s')
        .where('s.next_due_at <= :now', { now }).orderBy('s.next_due_at').limit(CLAIM_BATCH)
        .setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
      let started = 0;
      for (const schedule of due) {
        const jobId = randomUUID();
        const inserted = await m.createQueryBuilder().insert().into(JobEntity)
          .values({ id: jobId, policyId: schedule.policyId, trigger: 'schedule', dueAt: schedule.nextDueAt, source: schedule.source as never, actor: 'scheduler' })
          .orIgnore().returning(['id']).execute();
        if ((inserted.raw as unknown[]).length > 0) {
          await this.requestBackup(m, jobId, schedule, 'scheduler');
          started++;
        }
        schedule.nextDueAt = nextRunAfter({ cron: schedule.cron, timezone: schedule.timezone, window: schedule.backupWindow ?? undefined }, now);
        await m.update(ScheduleEntity, { policyId: schedule.policyId }, { nextDueAt: schedule.nextDueAt });
      }
      return started;
    });
  }

  async requestManualBackup(request: ManualBackupRequest, actor: string): Promise<{ jobId: string }> {
    if (!request.policyId && !request.source) throw new BadRequestException(['give policyId (run a policy now) or source (back up a source once)']);
    if (request.source) {
      const problem = runnableSourceProblem(request.source);
      if (problem) throw new BadRequestException([problem]);
    }
    return this.dataSource.transaction(async (m) => {
      let schedule: Pick<ScheduleEntity, 'policyId' | 'source' | 'bandwidthLimitBytesPerSec' | 'objectLock'>;
      if (request.policyId) {
        const found = await m.findOneBy(ScheduleEntity, { policyId: request.policyId });
        if (!found) throw new NotFoundException(`policy ${request.policyId} is not known to the scheduler (create it first, or wait a moment after creating it)`);
        schedule = found;
      } else {
        schedule = { policyId: null as unknown as string, source: { ...request.source! }, bandwidthLimitBytesPerSec: request.bandwidthLimitBytesPerSec ?? null, objectLock: null };
      }
      const jobId = randomUUID();
      await m.insert(JobEntity, { id: jobId, policyId: schedule.policyId ?? null, trigger: 'manual', dueAt: null, source: schedule.source as never, actor });
      await this.requestBackup(m, jobId, schedule, actor, 'manual');
      return { jobId };
    });
  }

  async job(id: string): Promise<JobEntity> {
    const job = await this.dataSource.getRepository(JobEntity).findOneBy({ id });
    if (!job) throw new NotFoundException(`job ${id} not found`);
    return job;
  }

  private async requestBackup(
    m: EntityManager, jobId: string,
    schedule: Pick<ScheduleEntity, 'policyId' | 'source' | 'bandwidthLimitBytesPerSec' | 'objectLock'> & { nextDueAt?: Date },
    actor: string, trigger: 'schedule' | 'manual' = 'schedule',
  ): Promise<void> {
    await this.outbox.enqueue(m, TOPICS.backupRequested, {
      jobId,
      ...(schedule.policyId ? { policyId: schedule.policyId } : {}),
      source: schedule.source as never,
      trigger,
      ...(trigger === 'schedule' && schedule.nextDueAt ? { dueAt: schedule.nextDueAt.toISOString() } : {}),
      ...(schedule.bandwidthLimitBytesPerSec ? { bandwidthLimitBytesPerSec: schedule.bandwidthLimitBytesPerSec } : {}),
      ...requestedObjectLock(schedule),
    }, { jobId, actor });
  }
}
