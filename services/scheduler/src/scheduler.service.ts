import { EventEnvelope, jobSecretRef, ManualBackupRequest, PolicyChanged, PolicyDeleted, runnableSourceProblem, splitSourceSecret, tenantOfEvent, TOPICS } from '@arca/contracts';
import { handleOnce, Outbox } from '@arca/messaging';
import { keepSourceSecret } from '@arca/service-kit';
import {
  Clock, decideDue, DueSchedule, isInsideWindow, nextDueTime, placeInWindow, rpoDeadline, rpoTransition, windowCloseAfter, windowEndAction,
} from '@arca/schedule';
import { BadRequestException, Inject, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CLOCK } from './clock';
import { JobEntity } from './entities/job.entity';
import { ScheduleEntity } from './entities/schedule.entity';
import { requestedObjectLock, scheduleObjectLock } from './object-lock';

/** How many rows one step of a tick claims at most (the rest wait for the next tick). */
const CLAIM_BATCH = 50;

/** What a tick did, for the log and for tests. */
export interface TickResult {
  backups: number;
  retries: number;
  prunes: number;
  verifications: number;
  cancels: number;
  rpoBreaches: number;
}

type Schedule = Pick<ScheduleEntity, 'policyId' | 'tenant' | 'source' | 'bandwidthLimitBytesPerSec' | 'backupWindow' | 'timezone' | 'windowEnd' | 'objectLock'>;

function dueSchedule(s: Pick<ScheduleEntity, 'cron' | 'timezone' | 'backupWindow' | 'catchUp'>): DueSchedule {
  return { cron: s.cron, timezone: s.timezone, window: s.backupWindow, catchUp: s.catchUp };
}

/**
 * Requests jobs when they are due, on an injected clock. Every step of a tick claims its rows with
 * FOR UPDATE SKIP LOCKED and the job's (policy, kind, due time) is unique, so however many scheduler
 * instances tick at once, each due time yields exactly one job and each announcement is made once.
 */
/** How many files a scheduled test restore restores when its policy does not say. */
const DEFAULT_VERIFY_SAMPLE = 100;

/** A policy's second schedule beside its backups: what it runs, where its next due time is kept, what it publishes. */
interface SideSchedule {
  kind: 'prune' | 'verify';
  column: 'prune_next_due_at' | 'verify_next_due_at';
  field: 'pruneNextDueAt' | 'verifyNextDueAt';
  cron: (schedule: ScheduleEntity) => string | null;
  request: (m: EntityManager, jobId: string, schedule: ScheduleEntity) => Promise<unknown>;
}

@Injectable()
export class SchedulerService {
  private readonly logger = new Logger('Scheduler');
  /** A due time later than this is missed (the scheduler was down) and follows the policy's catchUp. */
  missedAfterMs = Number(process.env.SCHEDULER_MISSED_AFTER_SECONDS ?? 300) * 1000;

  constructor(private readonly dataSource: DataSource, private readonly outbox: Outbox, @Inject(CLOCK) private readonly clock: Clock) {}

  async applyPolicyChanged(event: EventEnvelope<PolicyChanged>, group: string): Promise<void> {
    const { policyId, version, spec } = event.payload;
    const now = this.clock.now();
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const current = await m.findOne(ScheduleEntity, { where: { policyId }, lock: { mode: 'pessimistic_write' } });
      if (current && current.policyVersion >= version) return; // an older version arriving late
      const timing = { cron: spec.schedule.cron, timezone: spec.schedule.timezone, window: spec.backupWindow ?? null };
      const unchangedTiming = current && current.cron === timing.cron && current.timezone === timing.timezone
        && JSON.stringify(current.backupWindow) === JSON.stringify(timing.window);
      // A side schedule (prune, test restore) keeps its next due time while its cron and zone stay the same.
      const nextSideDue = (cron: string | null, currentCron: string | null | undefined, currentDue: Date | null | undefined) =>
        !cron ? null : current && currentCron === cron && current.timezone === timing.timezone ? currentDue ?? null : nextDueTime({ cron, timezone: timing.timezone }, now);
      const pruneCron = spec.prune?.cron ?? null;
      const verifyCron = spec.verifyRestore?.cron ?? null;
      const knownSince = current?.knownSince ?? now;
      const lastSuccessAt = current?.lastSuccessAt ?? null;
      await m.save(ScheduleEntity, {
        policyId, tenant: tenantOfEvent(event), policyVersion: version, cron: timing.cron, timezone: timing.timezone, backupWindow: timing.window,
        source: { ...spec.source }, bandwidthLimitBytesPerSec: spec.bandwidthLimitBytesPerSec ?? null, objectLock: scheduleObjectLock(spec),
        nextDueAt: unchangedTiming ? current.nextDueAt : nextDueTime(timing, now),
        catchUp: spec.catchUp ?? 'once', windowEnd: spec.windowEnd ?? 'finish',
        retry: spec.retry ? { maxAttempts: spec.retry.maxAttempts, backoffSeconds: spec.retry.backoffSeconds ?? 60 } : null,
        rpoMinutes: spec.rpoMinutes, knownSince, lastSuccessAt, rpoDeadline: rpoDeadline(lastSuccessAt, knownSince, spec.rpoMinutes),
        rpoBreachedAt: current?.rpoBreachedAt ?? null,
        pruneCron, pruneMaxUnusedPercent: spec.prune?.maxUnusedPercent ?? null,
        pruneNextDueAt: nextSideDue(pruneCron, current?.pruneCron, current?.pruneNextDueAt),
        verifyCron, verifySample: spec.verifyRestore ? spec.verifyRestore.sample ?? DEFAULT_VERIFY_SAMPLE : null,
        verifyNextDueAt: nextSideDue(verifyCron, current?.verifyCron, current?.verifyNextDueAt),
        // Without a target there is no RTO watch (a breach announced before stays until a test restore within a new target).
        rtoMinutes: spec.rtoMinutes ?? null, rtoBreachedAt: current?.rtoBreachedAt ?? null,
        updatedAt: now,
      });
    });
  }

  async applyPolicyDeleted(event: EventEnvelope<PolicyDeleted>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.delete(ScheduleEntity, { policyId: event.payload.policyId });
    });
  }

  /**
   * One pass of everything time drives: due backups, due retries, due prunes, window ends, the RPO
   * watch. Each step is its own transaction, and one that fails (the database away for a moment)
   * does not keep the others from running; it is tried again at the next tick.
   */
  async tick(): Promise<TickResult> {
    const now = this.clock.now();
    const step = async (name: string, run: (now: Date) => Promise<number>) => {
      try {
        return await run.call(this, now);
      } catch (error) {
        this.logger.warn(`${name} failed, will retry at the next tick: ${(error as Error).message}`);
        return 0;
      }
    };
    return {
      backups: await step('starting due backups', this.startDueBackups),
      retries: await step('starting due retries', this.startDueRetries),
      prunes: await step('requesting due prunes', this.startDuePrunes),
      verifications: await step('requesting due test restores', this.startDueVerifications),
      cancels: await step('cancelling at window ends', this.cancelAtWindowEnd),
      rpoBreaches: await step('the RPO watch', this.watchRpo),
    };
  }

  /** Requests a backup for every schedule that is due, as decideDue says (on time, catching up, or skipping missed runs). */
  async startDueBackups(now: Date): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const due = await m.getRepository(ScheduleEntity).createQueryBuilder('s')
        .where('s.next_due_at <= :now', { now }).orderBy('s.next_due_at').limit(CLAIM_BATCH)
        .setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
      let started = 0;
      for (const schedule of due) {
        const decision = decideDue(dueSchedule(schedule), schedule.nextDueAt, now, this.missedAfterMs);
        if (decision.why !== 'on time') this.logger.log(`policy ${schedule.policyId}: due ${schedule.nextDueAt.toISOString()} ${decision.why}; next ${decision.nextDueAt.toISOString()}`);
        const jobId = decision.runFor && await this.insertJob(m, { tenant: schedule.tenant, policyId: schedule.policyId, kind: 'backup', dueAt: decision.runFor, source: schedule.source, requestedAt: now });
        if (jobId) {
          await this.requestBackup(m, { id: jobId, attempt: 1, dueAt: decision.runFor!, source: schedule.source }, schedule, now);
          started++;
        }
        await m.update(ScheduleEntity, { policyId: schedule.policyId }, { nextDueAt: decision.nextDueAt });
      }
      return started;
    });
  }

  /** Requests the retries whose backoff has passed, each inside its policy's window. */
  async startDueRetries(now: Date): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const due = await m.getRepository(JobEntity).createQueryBuilder('j')
        .where(`j.status = 'pending' AND j.run_at <= :now`, { now }).orderBy('j.run_at').limit(CLAIM_BATCH)
        .setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
      let started = 0;
      for (const job of due) {
        const schedule = job.policyId ? await m.findOneBy(ScheduleEntity, { policyId: job.policyId }) : null;
        if (!schedule) {
          await m.update(JobEntity, { id: job.id }, { status: 'cancelled', error: 'the policy was deleted before this retry was due', finishedAt: now });
        } else if (schedule.backupWindow && !isInsideWindow(now, schedule.backupWindow, schedule.timezone)) {
          await m.update(JobEntity, { id: job.id }, { runAt: placeInWindow(now, schedule.backupWindow, schedule.timezone) });
        } else {
          await this.requestBackup(m, job, schedule, now);
          started++;
        }
      }
      return started;
    });
  }

  /** Requests a prune for every policy whose prune schedule is due (one job per due time, missed ones as catchUp says). */
  startDuePrunes(now: Date): Promise<number> {
    return this.startDueSide(now, {
      kind: 'prune', column: 'prune_next_due_at', field: 'pruneNextDueAt', cron: (s) => s.pruneCron,
      request: (m, jobId, s) => this.outbox.enqueue(m, TOPICS.pruneRequested, {
        jobId, policyId: s.policyId, ...(s.pruneMaxUnusedPercent !== null ? { maxUnusedPercent: s.pruneMaxUnusedPercent } : {}),
      }, { jobId, tenant: s.tenant }),
    });
  }

  /** Requests a test restore of the policy's newest snapshot for every policy whose verifyRestore schedule is due. */
  startDueVerifications(now: Date): Promise<number> {
    return this.startDueSide(now, {
      kind: 'verify', column: 'verify_next_due_at', field: 'verifyNextDueAt', cron: (s) => s.verifyCron,
      request: (m, jobId, s) => this.outbox.enqueue(m, TOPICS.restoreVerificationRequested, {
        jobId, policyId: s.policyId, sample: s.verifySample ?? DEFAULT_VERIFY_SAMPLE, trigger: 'schedule',
      }, { jobId, tenant: s.tenant }),
    });
  }

  /**
   * One step of a policy's side schedule (a prune's, a test restore's): every schedule whose next
   * due time has come gets one job per due time (missed ones as catchUp says), and its next due time.
   */
  private async startDueSide(now: Date, side: SideSchedule): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const due = await m.getRepository(ScheduleEntity).createQueryBuilder('s')
        .where(`s.${side.column} <= :now`, { now }).orderBy(`s.${side.column}`).limit(CLAIM_BATCH)
        .setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
      let started = 0;
      for (const schedule of due) {
        const decision = decideDue({ cron: side.cron(schedule)!, timezone: schedule.timezone, catchUp: schedule.catchUp }, schedule[side.field]!, now, this.missedAfterMs);
        if (decision.runFor) {
          const jobId = await this.insertJob(m, { tenant: schedule.tenant, policyId: schedule.policyId, kind: side.kind, dueAt: decision.runFor, source: null, requestedAt: now });
          if (jobId) {
            await side.request(m, jobId, schedule);
            started++;
          }
        }
        await m.update(ScheduleEntity, { policyId: schedule.policyId }, { [side.field]: decision.nextDueAt });
      }
      return started;
    });
  }

  /** Asks ingest to cancel each backup still unfinished when its window closed, where its policy says "cancel"; once per job. */
  async cancelAtWindowEnd(now: Date): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const candidates = await m.getRepository(JobEntity).createQueryBuilder('j')
        .where(`j.status IN ('requested', 'running') AND j.window_end = 'cancel' AND j.cancel_requested_at IS NULL AND j.window_closes_at <= :now`, { now })
        .limit(CLAIM_BATCH).setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
      let cancelled = 0;
      for (const job of candidates) {
        if (windowEndAction(job.windowEnd ?? undefined, job.windowClosesAt, now) !== 'cancel') continue;
        await m.update(JobEntity, { id: job.id }, { cancelRequestedAt: now });
        await this.outbox.enqueue(m, TOPICS.backupCancelRequested, {
          jobId: job.id, reason: `the backup window closed at ${job.windowClosesAt!.toISOString()} and the policy's windowEnd is "cancel"`,
        }, { jobId: job.id, tenant: job.tenant });
        cancelled++;
      }
      return cancelled;
    });
  }

  /** Publishes policy.rpo_breached once for each policy whose RPO deadline has passed without a successful backup. */
  async watchRpo(now: Date): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const candidates = await m.getRepository(ScheduleEntity).createQueryBuilder('s')
        .where('s.rpo_breached_at IS NULL AND s.rpo_deadline < :now', { now }).limit(CLAIM_BATCH)
        .setLock('pessimistic_write').setOnLocked('skip_locked').getMany();
      let breached = 0;
      for (const s of candidates) {
        if (rpoTransition({ deadline: s.rpoDeadline!, breached: false, now }) !== 'breach') continue;
        await m.update(ScheduleEntity, { policyId: s.policyId }, { rpoBreachedAt: now });
        await this.outbox.enqueue(m, TOPICS.policyRpoBreached, {
          policyId: s.policyId, lastSuccessAt: s.lastSuccessAt?.toISOString() ?? null, rpoMinutes: s.rpoMinutes!, detectedAt: now.toISOString(),
        }, { tenant: s.tenant });
        breached++;
      }
      return breached;
    });
  }

  async requestManualBackup(request: ManualBackupRequest, tenant: string, actor: string): Promise<{ jobId: string }> {
    if (!request.policyId && !request.source) throw new BadRequestException(['give policyId (run a policy now) or source (back up a source once)']);
    if (request.source) {
      const problem = runnableSourceProblem(request.source);
      if (problem) throw new BadRequestException([problem]);
    }
    const now = this.clock.now();
    const jobId = randomUUID();
    // A password given inline is kept by the policy service; the job and its events carry a reference.
    let source = request.source;
    if (source) {
      const { source: bare, password } = splitSourceSecret(source);
      if (password !== undefined) {
        await keepSourceSecret(jobSecretRef(jobId), password).catch((error: Error) => { throw new ServiceUnavailableException(`${error.message}; a source's password is kept only there, so the job was not requested`); });
        source = { ...bare, secretRef: jobSecretRef(jobId) };
      }
    }
    return this.dataSource.transaction(async (m) => {
      let schedule: Pick<ScheduleEntity, 'policyId' | 'source' | 'bandwidthLimitBytesPerSec' | 'objectLock'>;
      if (request.policyId) {
        // another tenant's policy is unknown here, like one that does not exist
        const found = await m.findOneBy(ScheduleEntity, { policyId: request.policyId, tenant });
        if (!found) throw new NotFoundException(`policy ${request.policyId} is not known to the scheduler (create it first, or wait a moment after creating it)`);
        schedule = found;
      } else {
        schedule = { policyId: null as unknown as string, source: { ...source! }, bandwidthLimitBytesPerSec: request.bandwidthLimitBytesPerSec ?? null, objectLock: null };
      }
      await m.insert(JobEntity, { id: jobId, tenant, policyId: schedule.policyId ?? null, trigger: 'manual', dueAt: null, source: schedule.source as never, actor, requestedAt: now });
      // A run asked for by hand is the operator's call: no window applies to it.
      await this.outbox.enqueue(m, TOPICS.backupRequested, {
        jobId, ...(schedule.policyId ? { policyId: schedule.policyId } : {}), source: schedule.source as never, trigger: 'manual',
        ...(schedule.bandwidthLimitBytesPerSec ? { bandwidthLimitBytesPerSec: schedule.bandwidthLimitBytesPerSec } : {}),
        ...requestedObjectLock(schedule),
      }, { jobId, actor, tenant });
      return { jobId };
    });
  }

  /** A job with every attempt of its chain (the first run and its retries), so an operator sees what was tried. */
  async job(id: string, tenant: string): Promise<JobEntity & { attempts: Array<Pick<JobEntity, 'id' | 'attempt' | 'status' | 'error' | 'requestedAt' | 'runAt' | 'finishedAt'>> }> {
    const jobs = this.dataSource.getRepository(JobEntity);
    const job = await jobs.findOneBy({ id, tenant });
    if (!job) throw new NotFoundException(`job ${id} not found`);
    const first = job.retryOf ?? job.id;
    const chain = await jobs.createQueryBuilder('j').where('j.id = :first OR j.retry_of = :first', { first }).orderBy('j.attempt').getMany();
    return { ...job, attempts: chain.map(({ id, attempt, status, error, requestedAt, runAt, finishedAt }) => ({ id, attempt, status, error, requestedAt, runAt, finishedAt })) };
  }

  /** Inserts a scheduled job for a due time; its id, or undefined when that due time already has its job. */
  private async insertJob(m: EntityManager, job: Pick<JobEntity, 'tenant' | 'policyId' | 'kind' | 'dueAt' | 'source' | 'requestedAt'>): Promise<string | undefined> {
    const id = randomUUID();
    const inserted = await m.createQueryBuilder().insert().into(JobEntity)
      .values({ id, ...job, source: job.source as never, trigger: 'schedule', actor: 'scheduler', status: 'requested' })
      .orIgnore().returning(['id']).execute();
    return (inserted.raw as unknown[]).length > 0 ? id : undefined;
  }

  /** Marks a scheduled backup (first run or retry) requested and publishes backup.requested, bounded by the window it starts in. */
  private async requestBackup(m: EntityManager, job: Pick<JobEntity, 'id' | 'attempt' | 'dueAt' | 'source'>, schedule: Schedule, now: Date): Promise<void> {
    const windowClosesAt = windowCloseAfter(now, schedule.backupWindow, schedule.timezone) ?? null;
    const source = job.attempt > 1 ? schedule.source : job.source!; // a retry reads the policy's source as it is now
    await m.update(JobEntity, { id: job.id }, { status: 'requested', requestedAt: now, windowClosesAt, windowEnd: schedule.windowEnd, source: source as never });
    await this.outbox.enqueue(m, TOPICS.backupRequested, {
      jobId: job.id, policyId: schedule.policyId, source: source as never, trigger: 'schedule', attempt: job.attempt,
      ...(job.dueAt ? { dueAt: job.dueAt.toISOString() } : {}),
      ...(windowClosesAt ? { notAfter: windowClosesAt.toISOString() } : {}),
      ...(schedule.bandwidthLimitBytesPerSec ? { bandwidthLimitBytesPerSec: schedule.bandwidthLimitBytesPerSec } : {}),
      ...requestedObjectLock(schedule),
    }, { jobId: job.id, tenant: schedule.tenant });
  }
}
