import { BackupCancelled, BackupCompleted, BackupFailed, BackupStarted, EventEnvelope, RestoreVerified, TOPICS } from '@arca/contracts';
import { handleOnce, Outbox } from '@arca/messaging';
import { Clock, placeInWindow, retryDelaySeconds, rpoDeadline, rpoTransition, rtoTransition } from '@arca/schedule';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { CLOCK } from './clock';
import { ACTIVE_JOB_STATUSES, JobEntity, SchedulerJobStatus } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';

/**
 * Follows the backups the scheduler requested through ingest's events: which run (for window
 * ends), which failed (for retries), and when each policy last succeeded (for the RPO watch).
 * Events of jobs the scheduler did not request (uploads through POST /streams) still count for their policy's RPO.
 */
@Injectable()
export class JobOutcomesService {
  constructor(private readonly dataSource: DataSource, private readonly outbox: Outbox, @Inject(CLOCK) private readonly clock: Clock) {}

  async applyStarted(event: EventEnvelope<BackupStarted>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.update(JobEntity, { id: event.payload.jobId, status: 'requested' }, { status: 'running', startedAt: new Date(event.occurredAt) });
    });
  }

  async applyCompleted(event: EventEnvelope<BackupCompleted>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await this.end(m, event.payload.jobId, 'completed', null, event.occurredAt);
      if (event.payload.policyId) await this.recordSuccess(m, event.payload.policyId, new Date(event.occurredAt));
    });
  }

  async applyCancelled(event: EventEnvelope<BackupCancelled>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await this.end(m, event.payload.jobId, 'cancelled', event.payload.reason, event.occurredAt);
    });
  }

  /** A failed scheduled backup is retried after its backoff, as a new job linked to the first run, while the policy's retry rule allows. */
  async applyFailed(event: EventEnvelope<BackupFailed>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const job = await this.end(m, event.payload.jobId, 'failed', event.payload.reason, event.occurredAt);
      if (!job || job.kind !== 'backup' || job.trigger !== 'schedule' || !job.policyId) return;
      const schedule = await m.findOneBy(ScheduleEntity, { policyId: job.policyId });
      const delay = retryDelaySeconds(schedule?.retry, job.attempt);
      if (!schedule || delay === undefined) return;
      const runAt = placeInWindow(new Date(this.clock.now().getTime() + delay * 1000), schedule.backupWindow ?? undefined, schedule.timezone);
      await m.createQueryBuilder().insert().into(JobEntity).values({
        id: randomUUID(), tenant: job.tenant, policyId: job.policyId, kind: 'backup', trigger: 'schedule', dueAt: null, source: schedule.source as never,
        actor: 'scheduler', status: 'pending', attempt: job.attempt + 1, retryOf: job.retryOf ?? job.id, runAt, requestedAt: this.clock.now(),
      }).orIgnore().execute();
    });
  }

  /**
   * The RTO watch: a passed test restore of a policy with an rtoMinutes whose whole-snapshot
   * restore time exceeds it publishes policy.rto_breached, once per breach; the next one within it
   * publishes policy.rto_restored. Test restores of any trigger count (scheduled, POST verify-restore).
   */
  async applyVerified(event: EventEnvelope<RestoreVerified>, group: string): Promise<void> {
    const { policyId, jobId, snapshotId, estimatedFullRestoreMs: measuredMs } = event.payload;
    if (!policyId) return;
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const s = await m.findOne(ScheduleEntity, { where: { policyId }, lock: { mode: 'pessimistic_write' } });
      if (!s || s.rtoMinutes === null) return;
      const now = this.clock.now();
      const step = rtoTransition({ measuredMs, rtoMinutes: s.rtoMinutes, breached: s.rtoBreachedAt !== null });
      if (step === 'breach') {
        await m.update(ScheduleEntity, { policyId }, { rtoBreachedAt: now });
        await this.outbox.enqueue(m, TOPICS.policyRtoBreached, { policyId, rtoMinutes: s.rtoMinutes, jobId, snapshotId, measuredMs, detectedAt: now.toISOString() }, { tenant: s.tenant });
      } else if (step === 'restore') {
        await m.update(ScheduleEntity, { policyId }, { rtoBreachedAt: null });
        await this.outbox.enqueue(m, TOPICS.policyRtoRestored, {
          policyId, rtoMinutes: s.rtoMinutes, jobId, snapshotId, measuredMs, breachedAt: s.rtoBreachedAt!.toISOString(), restoredAt: now.toISOString(),
        }, { tenant: s.tenant });
      }
    });
  }

  /** Ends a job the scheduler knows, unless it has ended already; the job as it was, or undefined. */
  private async end(m: EntityManager, jobId: string, status: SchedulerJobStatus, error: string | null, at: string): Promise<JobEntity | undefined> {
    const job = await m.findOne(JobEntity, { where: { id: jobId, status: In(ACTIVE_JOB_STATUSES) }, lock: { mode: 'pessimistic_write' } });
    if (!job) return undefined;
    await m.update(JobEntity, { id: jobId }, { status, error, finishedAt: new Date(at) });
    return job;
  }

  /** Moves the policy's RPO deadline on; a breach announced before is announced restored. */
  private async recordSuccess(m: EntityManager, policyId: string, at: Date): Promise<void> {
    const s = await m.findOne(ScheduleEntity, { where: { policyId }, lock: { mode: 'pessimistic_write' } });
    if (!s || s.rpoMinutes === null) return;
    const lastSuccessAt = s.lastSuccessAt && s.lastSuccessAt > at ? s.lastSuccessAt : at;
    const deadline = rpoDeadline(lastSuccessAt, s.knownSince ?? lastSuccessAt, s.rpoMinutes);
    const now = this.clock.now();
    const restored = rpoTransition({ deadline, breached: s.rpoBreachedAt !== null, now }) === 'restore';
    await m.update(ScheduleEntity, { policyId }, { lastSuccessAt, rpoDeadline: deadline, ...(restored ? { rpoBreachedAt: null } : {}) });
    if (restored) {
      await this.outbox.enqueue(m, TOPICS.policyRpoRestored, {
        policyId, lastSuccessAt: lastSuccessAt.toISOString(), rpoMinutes: s.rpoMinutes, breachedAt: s.rpoBreachedAt!.toISOString(), restoredAt: now.toISOString(),
      });
    }
  }
}
