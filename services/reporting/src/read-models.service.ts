import { AuditRecorded, EventEnvelope, PolicyChanged, PolicyDeleted, PolicyRpoBreached, PolicyRpoRestored, PolicyRtoBreached, PolicyRtoRestored, redactedSource, ReplicationCompleted, ReplicationFailed, SourceSpec, tenantOfEvent } from '@arca/contracts';
import { handleOnce } from '@arca/messaging';
import { rpoStatus, utcDay } from '@arca/schedule';
import { qualifiedTable } from '@arca/persistence';
import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { ChainBreak, ChainedEntry, entryHash, firstBreak, GENESIS_HASH } from './audit-chain';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { JobEventEntity } from './entities/job-event.entity';
import { JobViewEntity } from './entities/job-view.entity';
import { PolicyPromise, PolicyViewEntity } from './entities/policy-view.entity';
import { ReplicationViewEntity } from './entities/replication-view.entity';
import { PRIMARY_SITE, StorageDayEntity } from './entities/storage-day.entity';
import { RtoBreachEntity } from './entities/rto-breach.entity';
import { jobMeasurement, JobMeasurement } from './job-metrics';
import { foldJobEvent, JobEvent } from './job-projection';
import { ReportingMetrics } from './reporting-metrics.service';
import { cataloguePublisher, jobTimeline, JobTrace, timelineDetail } from './job-timeline';
import { WebhooksService } from './webhooks/webhooks.service';

/** An event's payload as a webhook carries it: a source's password never leaves the platform. */
function webhookData(payload: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const data = { ...payload, ...extra };
  if (data.source) data.source = redactedSource(data.source as SourceSpec);
  return data;
}

/** What a compliance report names of a policy's spec: its promises, not its source. */
function policyPromise(spec: PolicyChanged['spec']): PolicyPromise {
  return {
    schedule: spec.schedule, retention: spec.retention,
    ...(spec.backupWindow ? { backupWindow: spec.backupWindow } : {}), ...(spec.objectLock ? { objectLock: spec.objectLock } : {}), replicate: spec.replicate !== false, // absent: copied (the replication service's rule)
    ...(spec.replicaSites ? { replicaSites: spec.replicaSites } : {}),
    ...(spec.verifyRestore ? { verifyRestore: spec.verifyRestore } : {}), ...(spec.rtoMinutes ? { rtoMinutes: spec.rtoMinutes } : {}),
  };
}

@Injectable()
export class ReadModelsService {
  constructor(private readonly dataSource: DataSource, private readonly webhooks: WebhooksService, private readonly metrics: ReportingMetrics) {}

  /** `origin`: who published the event and in which trace (from its headers), for the job's timeline. */
  async applyJobEvent(event: JobEvent & { eventId: string }, group: string, origin: { service?: string; traceId?: string; spanId?: string } = {}): Promise<void> {
    let measurement: JobMeasurement | undefined;
    const applied = await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.createQueryBuilder().insert().into(JobEventEntity).values({
        eventId: event.eventId, jobId: event.jobId, type: event.type, service: origin.service ?? cataloguePublisher(event.type), occurredAt: new Date(event.occurredAt),
        traceId: origin.traceId ?? null, spanId: origin.spanId ?? null, detail: timelineDetail(event.type, event.payload) as never,
      }).orIgnore().execute();
      const current = await m.findOne(JobViewEntity, { where: { jobId: event.jobId }, lock: { mode: 'pessimistic_write' } });
      const before = current ? { status: current.status } : undefined; // foldJobEvent may update `current` in place
      const next = foldJobEvent(current ?? undefined, event);
      measurement = jobMeasurement(before, next);
      await m.save(JobViewEntity, next);
      if (event.type === 'backup.completed' || event.type === 'backup.failed') {
        await this.webhooks.enqueue(m, next.tenant, event.type, event.eventId, new Date(event.occurredAt), webhookData(event.payload, { jobId: event.jobId, policyId: next.policyId }));
      }
      // Storage per day: once per job, when it first completes (a redelivery or a late duplicate adds nothing).
      if (before?.status !== 'completed' && next.status === 'completed' && next.finishedAt) {
        const stats = (event.payload.stats ?? event.payload) as Record<string, unknown>;
        if (event.type === 'backup.completed') {
          await this.addStorage(m, { day: next.finishedAt, tenant: next.tenant, policyId: next.policyId, site: PRIMARY_SITE }, {
            snapshots: 1, bytesRead: Number(stats.bytesRead ?? 0), bytesNew: Number(stats.bytesNew ?? 0), bytesAdded: Number(stats.bytesStored ?? 0),
          });
        } else if (event.type === 'prune.completed' && stats.dryRun === false) {
          await this.addStorage(m, { day: next.finishedAt, tenant: next.tenant, policyId: null, site: PRIMARY_SITE }, { bytesFreed: Number(stats.bytesFreed ?? 0) });
        }
      }
      if (event.type === 'backup.completed' && next.policyId) {
        await m.createQueryBuilder().update(PolicyViewEntity).set({ lastSuccessAt: new Date(event.occurredAt) })
          .where('policy_id = :id AND (last_success_at IS NULL OR last_success_at < :at)', { id: next.policyId, at: new Date(event.occurredAt) }).execute();
      }
    });
    if (applied && measurement) this.metrics.recordJob(measurement);
  }

  async applyPolicyChanged(event: EventEnvelope<PolicyChanged>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const existing = await m.findOneBy(PolicyViewEntity, { policyId: event.payload.policyId });
      await m.save(PolicyViewEntity, {
        policyId: event.payload.policyId, tenant: tenantOfEvent(event), name: event.payload.spec.name, rpoMinutes: event.payload.spec.rpoMinutes,
        promised: policyPromise(event.payload.spec),
        deleted: false, lastSuccessAt: existing?.lastSuccessAt ?? null,
        knownSince: existing?.knownSince ?? new Date(event.occurredAt), rpoBreachedAt: existing?.rpoBreachedAt ?? null,
      });
    });
  }

  /**
   * The scheduler's RPO watch: a breach it announced stands until it announces the policy
   * restored. The scheduler announces each breach once, so its event is what webhook subscribers
   * of policy.rpo_breached receive, in the transaction that consumes it.
   */
  async applyRpoEvent(event: EventEnvelope<PolicyRpoBreached | PolicyRpoRestored>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const p = event.payload;
      const breach = 'detectedAt' in p;
      // A replica site's breach (replication's watch, with `site`) is not the policy's own: only webhooks hear of it.
      if (!p.site) await m.update(PolicyViewEntity, { policyId: p.policyId }, { rpoBreachedAt: breach ? new Date(p.detectedAt) : null });
      if (breach) {
        const policy = await m.findOneBy(PolicyViewEntity, { policyId: p.policyId });
        await this.webhooks.enqueue(m, policy?.tenant ?? tenantOfEvent(event), 'policy.rpo_breached', event.eventId, new Date(event.occurredAt), { ...webhookData(p as unknown as Record<string, unknown>), ...(policy ? { name: policy.name } : {}) });
      }
    });
  }

  /**
   * The scheduler's RTO watch: each breach it announced is kept (for the compliance report) until
   * it announces the policy restored; webhook subscribers of policy.rto_breached hear of each once.
   */
  async applyRtoEvent(event: EventEnvelope<PolicyRtoBreached | PolicyRtoRestored>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const p = event.payload;
      if ('detectedAt' in p) {
        const policy = await m.findOneBy(PolicyViewEntity, { policyId: p.policyId });
        const tenant = policy?.tenant ?? tenantOfEvent(event);
        await m.createQueryBuilder().insert().into(RtoBreachEntity).values({
          jobId: p.jobId, policyId: p.policyId, tenant, snapshotId: p.snapshotId, rtoMinutes: p.rtoMinutes, measuredMs: p.measuredMs,
          breachedAt: new Date(p.detectedAt), restoredAt: null, restoredByJobId: null,
        }).orIgnore().execute();
        await this.webhooks.enqueue(m, tenant, 'policy.rto_breached', event.eventId, new Date(event.occurredAt), { ...webhookData(p as unknown as Record<string, unknown>), ...(policy ? { name: policy.name } : {}) });
      } else {
        await m.createQueryBuilder().update(RtoBreachEntity).set({ restoredAt: new Date(p.restoredAt), restoredByJobId: p.jobId })
          .where('policy_id = :policyId AND restored_at IS NULL', { policyId: p.policyId }).execute();
      }
    });
  }

  async applyPolicyDeleted(event: EventEnvelope<PolicyDeleted>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      await m.update(PolicyViewEntity, { policyId: event.payload.policyId }, { deleted: true });
    });
  }

  async applyReplication(event: EventEnvelope<ReplicationCompleted | ReplicationFailed>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const p = event.payload;
      const completed = 'bytesCopied' in p;
      const earlier = await m.findOneBy(ReplicationViewEntity, { snapshotId: p.snapshotId, site: p.site });
      if (completed && earlier?.status !== 'completed') {
        // The copy's bytes count at the replica site, under the policy of the backup that made the snapshot.
        const [backup] = await m.find(JobViewEntity, { select: { policyId: true }, where: { snapshotId: p.snapshotId, kind: 'backup' }, take: 1 });
        await this.addStorage(m, { day: new Date(event.occurredAt), tenant: tenantOfEvent(event), policyId: backup?.policyId ?? null, site: p.site }, { snapshots: 1, bytesAdded: p.bytesCopied });
      }
      await m.save(ReplicationViewEntity, {
        snapshotId: p.snapshotId, site: p.site, tenant: tenantOfEvent(event), status: completed ? 'completed' : 'failed',
        lagMs: completed ? p.lagMs : null, bytesCopied: completed ? p.bytesCopied : 0,
        error: completed ? null : (p as ReplicationFailed).reason, at: new Date(event.occurredAt),
      });
      if (!completed) await this.webhooks.enqueue(m, tenantOfEvent(event), 'replication.failed', event.eventId, new Date(event.occurredAt), webhookData(p as unknown as Record<string, unknown>));
    });
  }

  /** Adds a job's or a copy's figures to its day's storage row (day, tenant, policy, site), made if missing. */
  private async addStorage(m: EntityManager, key: { day: Date; tenant: string; policyId: string | null; site: string },
    add: Partial<Pick<StorageDayEntity, 'snapshots' | 'bytesRead' | 'bytesNew' | 'bytesAdded' | 'bytesFreed'>>): Promise<void> {
    const v = { snapshots: 0, bytesRead: 0, bytesNew: 0, bytesAdded: 0, bytesFreed: 0, ...add };
    await m.query(`
      INSERT INTO ${qualifiedTable(this.dataSource, StorageDayEntity)} AS d (day, tenant, policy_id, site, snapshots, bytes_read, bytes_new, bytes_added, bytes_freed)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (day, tenant, policy_id, site) DO UPDATE SET snapshots = d.snapshots + EXCLUDED.snapshots, bytes_read = d.bytes_read + EXCLUDED.bytes_read,
        bytes_new = d.bytes_new + EXCLUDED.bytes_new, bytes_added = d.bytes_added + EXCLUDED.bytes_added, bytes_freed = d.bytes_freed + EXCLUDED.bytes_freed`,
    [utcDay(key.day), key.tenant, key.policyId ?? '', key.site, v.snapshots, v.bytesRead, v.bytesNew, v.bytesAdded, v.bytesFreed]);
  }

  /**
   * Appends an entry to its tenant's audit chain (each tenant has a chain of its own, so a tenant's
   * auditors verify theirs without seeing, or counting, another's entries). The table lock makes
   * appends one at a time, so each entry links to the one before it in its chain; a redelivered
   * event (same eventId) is appended once.
   */
  async applyAudit(event: EventEnvelope<AuditRecorded>): Promise<void> {
    const tenant = tenantOfEvent(event);
    await this.dataSource.transaction(async (m) => {
      await m.query(`LOCK TABLE ${qualifiedTable(this.dataSource, AuditEntryEntity)} IN SHARE ROW EXCLUSIVE MODE`);
      if (await m.existsBy(AuditEntryEntity, { eventId: event.eventId })) return;
      const [last] = await m.find(AuditEntryEntity, { select: { seq: true, hash: true }, where: { tenant }, order: { seq: 'DESC' }, take: 1 });
      const p = event.payload;
      const entry: ChainedEntry = {
        seq: (last?.seq ?? 0) + 1, eventId: event.eventId, time: new Date(event.occurredAt), actor: p.actor, action: p.action, target: p.target,
        details: p.details ?? {}, principal: (p.principal as unknown as Record<string, unknown>) ?? null, requestId: p.requestId ?? null, traceId: p.traceId ?? null,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      await m.insert(AuditEntryEntity, { ...entry, tenant, details: entry.details as never, principal: entry.principal as never, hash: entryHash(entry) });
    });
  }

  async audit(tenant: string, limit: number): Promise<AuditEntryEntity[]> {
    return this.dataSource.getRepository(AuditEntryEntity).find({ where: { tenant }, order: { seq: 'DESC' }, take: limit });
  }

  /** A tenant's whole chain in order, a batch at a time (for verifying and exporting a log of any length). */
  async *auditInOrder(tenant: string, batchSize = 1000): AsyncGenerator<AuditEntryEntity[]> {
    let after = 0;
    for (;;) {
      const batch = await this.dataSource.getRepository(AuditEntryEntity).find({ where: { tenant, seq: MoreThan(after) }, order: { seq: 'ASC' }, take: batchSize });
      if (batch.length === 0) return;
      yield batch;
      after = batch[batch.length - 1].seq;
    }
  }

  /**
   * Walks the chain from the first entry. A valid answer names the last entry and its hash: keep
   * it elsewhere, since removing entries from the end leaves a shorter chain that is still valid.
   */
  async verifyAudit(tenant: string): Promise<{ valid: boolean; entries: number; head?: { seq: number; hash: string }; firstBroken?: ChainBreak }> {
    let previous = { seq: 0, hash: GENESIS_HASH };
    let entries = 0;
    for await (const batch of this.auditInOrder(tenant)) {
      const broken = firstBreak(batch, previous);
      if (broken) return { valid: false, entries: entries + batch.findIndex((e) => e.seq === broken.seq), firstBroken: broken };
      entries += batch.length;
      const last = batch[batch.length - 1];
      previous = { seq: last.seq, hash: last.hash };
    }
    return { valid: true, entries, ...(entries > 0 ? { head: previous } : {}) };
  }

  async jobs(tenant: string, limit: number, kind?: string): Promise<JobViewEntity[]> {
    return this.dataSource.getRepository(JobViewEntity).find({ where: { tenant, ...(kind ? { kind: kind as never } : {}) }, order: { requestedAt: 'DESC' }, take: limit });
  }

  /** A job's read model with its timeline: its events in order, the trace they belong to, and why it failed. */
  /** Another tenant's job is not found, like one that does not exist. */
  async job(tenant: string, jobId: string): Promise<JobViewEntity & JobTrace> {
    const job = await this.dataSource.getRepository(JobViewEntity).findOneBy({ jobId, tenant });
    if (!job) throw new NotFoundException(`job ${jobId} not found`);
    const events = await this.dataSource.getRepository(JobEventEntity).find({ where: { jobId }, order: { occurredAt: 'ASC' } });
    return { ...job, ...jobTimeline(events, process.env.TRACE_URL_TEMPLATE) };
  }


  /**
   * Time series for the console's charts, over the last `days` days: each completed backup
   * (throughput, what it read, added and stored, its ratios), the repository's stored bytes after
   * each backup and prune (all backups' stored bytes so far less all prunes' freed bytes), and the
   * success rate per policy. Oldest first; at most 1,000 backups.
   */
  async history(tenant: string, days: number, now = new Date()): Promise<History> {
    const since = new Date(now.getTime() - days * 86_400_000);
    const jobs = qualifiedTable(this.dataSource, JobViewEntity);
    const policies = qualifiedTable(this.dataSource, PolicyViewEntity);
    const backups = await this.dataSource.query(`
      SELECT * FROM (
        SELECT j.job_id, j.policy_id, p.name AS policy_name, j.finished_at, j.stats
        FROM ${jobs} j LEFT JOIN ${policies} p ON p.policy_id = j.policy_id
        WHERE j.tenant = $2 AND j.kind = 'backup' AND j.status = 'completed' AND j.finished_at >= $1
        ORDER BY j.finished_at DESC, j.job_id DESC LIMIT 1000) newest
      ORDER BY finished_at, job_id`, [since, tenant]);
    const storage = await this.dataSource.query(`
      SELECT at, kind, total FROM (
        SELECT finished_at AS at, kind,
               sum(CASE WHEN kind = 'backup' THEN coalesce((stats->>'bytesStored')::numeric, 0) ELSE -coalesce((stats->>'bytesFreed')::numeric, 0) END)
                 OVER (ORDER BY finished_at, job_id) AS total
        FROM ${jobs}
        WHERE tenant = $2 AND status = 'completed' AND finished_at IS NOT NULL AND (kind = 'backup' OR (kind = 'prune' AND (stats->>'dryRun') = 'false'))) running
      WHERE at >= $1 ORDER BY at LIMIT 2000`, [since, tenant]);
    const perPolicy = await this.dataSource.query(`
      SELECT j.policy_id, p.name,
             count(*) FILTER (WHERE j.status = 'completed') AS completed,
             count(*) FILTER (WHERE j.status = 'failed') AS failed,
             count(*) FILTER (WHERE j.status = 'cancelled') AS cancelled
      FROM ${jobs} j LEFT JOIN ${policies} p ON p.policy_id = j.policy_id
      WHERE j.tenant = $2 AND j.kind = 'backup' AND j.requested_at >= $1
      GROUP BY j.policy_id, p.name ORDER BY p.name NULLS LAST`, [since, tenant]);
    const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    return {
      since: since.toISOString(),
      until: now.toISOString(),
      backups: backups.map((b: { job_id: string; policy_id: string | null; policy_name: string | null; finished_at: Date; stats: Record<string, unknown> | null }) => ({
        jobId: b.job_id, policyId: b.policy_id, policyName: b.policy_name, finishedAt: b.finished_at,
        bytesRead: number(b.stats?.bytesRead), bytesNew: number(b.stats?.bytesNew), bytesStored: number(b.stats?.bytesStored),
        durationMs: number(b.stats?.durationMs), throughputBytesPerSec: number(b.stats?.throughputBytesPerSec),
        dedupeRatio: number(b.stats?.dedupeRatio), compressionRatio: number(b.stats?.compressionRatio),
      })),
      storage: storage.map((s: { at: Date; kind: string; total: string }) => ({ at: s.at, after: s.kind, bytesStored: Number(s.total) })),
      policies: perPolicy.map((p: { policy_id: string | null; name: string | null; completed: string; failed: string; cancelled: string }) => {
        const finished = Number(p.completed) + Number(p.failed);
        return {
          policyId: p.policy_id, name: p.name ?? (p.policy_id ? null : 'manual backups'),
          completed: Number(p.completed), failed: Number(p.failed), cancelled: Number(p.cancelled),
          successRate: finished ? Number(p.completed) / finished : null,
        };
      }),
    };
  }

  /** One tenant's figures: its jobs, its policies' RPO, its snapshots' replication. */
  async summary(tenant: string, now = new Date()) {
    const [jobs] = await this.dataSource.query(`
      SELECT count(*) FILTER (WHERE kind = 'backup') AS total,
             count(*) FILTER (WHERE kind = 'backup' AND status = 'completed') AS completed,
             count(*) FILTER (WHERE kind = 'backup' AND status = 'failed') AS failed,
             count(*) FILTER (WHERE kind = 'backup' AND status = 'cancelled') AS cancelled,
             coalesce(sum((stats->>'bytesRead')::numeric) FILTER (WHERE kind = 'backup' AND status = 'completed'), 0) AS bytes_read,
             coalesce(sum((stats->>'bytesNew')::numeric) FILTER (WHERE kind = 'backup' AND status = 'completed'), 0) AS bytes_new,
             coalesce(sum((stats->>'bytesStored')::numeric) FILTER (WHERE kind = 'backup' AND status = 'completed'), 0) AS bytes_stored,
             count(*) FILTER (WHERE kind = 'prune' AND status = 'completed' AND (stats->>'dryRun') = 'false') AS prunes,
             count(*) FILTER (WHERE kind = 'prune' AND status = 'failed') AS prunes_failed,
             coalesce(sum((stats->>'bytesFreed')::numeric) FILTER (WHERE kind = 'prune' AND status = 'completed' AND (stats->>'dryRun') = 'false'), 0) AS bytes_freed,
             max(finished_at) FILTER (WHERE kind = 'prune' AND status = 'completed' AND (stats->>'dryRun') = 'false') AS last_prune_at
      FROM ${qualifiedTable(this.dataSource, JobViewEntity)} WHERE tenant = $1`, [tenant]);
    const finished = Number(jobs.completed) + Number(jobs.failed);
    const policies = await this.dataSource.getRepository(PolicyViewEntity).find({ where: { tenant, deleted: false }, order: { name: 'ASC' } });
    const [replication] = await this.dataSource.query(`
      SELECT count(*) FILTER (WHERE status = 'completed') AS completed, count(*) FILTER (WHERE status = 'failed') AS failed,
             max(lag_ms) FILTER (WHERE status = 'completed') AS max_lag_ms, avg(lag_ms) FILTER (WHERE status = 'completed') AS avg_lag_ms
      FROM ${qualifiedTable(this.dataSource, ReplicationViewEntity)} WHERE tenant = $1`, [tenant]);
    return {
      // A cancelled backup (its window closed) is neither a success nor a failure: it is counted apart and left out of the success rate.
      jobs: { total: Number(jobs.total), completed: Number(jobs.completed), failed: Number(jobs.failed), cancelled: Number(jobs.cancelled), successRate: finished ? Number(jobs.completed) / finished : null },
      storage: { bytesRead: Number(jobs.bytes_read), bytesNew: Number(jobs.bytes_new), bytesStored: Number(jobs.bytes_stored) },
      dedupeRatio: Number(jobs.bytes_new) > 0 ? Number(jobs.bytes_read) / Number(jobs.bytes_new) : null,
      compressionRatio: Number(jobs.bytes_stored) > 0 ? Number(jobs.bytes_new) / Number(jobs.bytes_stored) : null,
      // Compliance by the scheduler's own rule (rpoStatus with the policy's first sighting), so it agrees with policy.rpo_breached;
      // breachedAt is the breach the scheduler announced and has not yet announced restored.
      rpo: policies.map((p) => ({
        policyId: p.policyId, name: p.name, rpoMinutes: p.rpoMinutes, lastSuccessAt: p.lastSuccessAt,
        ...rpoStatus(p.lastSuccessAt, p.rpoMinutes, now, p.knownSince), breachedAt: p.rpoBreachedAt,
      })),
      prune: { completed: Number(jobs.prunes), failed: Number(jobs.prunes_failed), bytesFreed: Number(jobs.bytes_freed), lastAt: jobs.last_prune_at ?? null },
      replication: { completed: Number(replication.completed), failed: Number(replication.failed), maxLagMs: replication.max_lag_ms === null ? null : Number(replication.max_lag_ms), avgLagMs: replication.avg_lag_ms === null ? null : Math.round(Number(replication.avg_lag_ms)) },
    };
  }
}

/** GET /reports/history (see ReadModelsService.history). */
export interface History {
  since: string;
  until: string;
  backups: Array<{
    jobId: string; policyId: string | null; policyName: string | null; finishedAt: Date;
    bytesRead: number | null; bytesNew: number | null; bytesStored: number | null; durationMs: number | null;
    throughputBytesPerSec: number | null; dedupeRatio: number | null; compressionRatio: number | null;
  }>;
  storage: Array<{ at: Date; after: 'backup' | 'prune'; bytesStored: number }>;
  policies: Array<{ policyId: string | null; name: string | null; completed: number; failed: number; cancelled: number; successRate: number | null }>;
}
