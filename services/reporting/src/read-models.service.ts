import { AuditRecorded, EventEnvelope, PolicyChanged, PolicyDeleted, PolicyRpoBreached, PolicyRpoRestored, ReplicationCompleted, ReplicationFailed } from '@arca/contracts';
import { handleOnce } from '@arca/messaging';
import { rpoStatus } from '@arca/schedule';
import { qualifiedTable } from '@arca/persistence';
import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { JobViewEntity } from './entities/job-view.entity';
import { PolicyViewEntity } from './entities/policy-view.entity';
import { ReplicationViewEntity } from './entities/replication-view.entity';
import { foldJobEvent, JobEvent } from './job-projection';

@Injectable()
export class ReadModelsService {
  constructor(private readonly dataSource: DataSource) {}

  async applyJobEvent(event: JobEvent & { eventId: string }, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const current = await m.findOne(JobViewEntity, { where: { jobId: event.jobId }, lock: { mode: 'pessimistic_write' } });
      const next = foldJobEvent(current ?? undefined, event);
      await m.save(JobViewEntity, next);
      if (event.type === 'backup.completed' && next.policyId) {
        await m.createQueryBuilder().update(PolicyViewEntity).set({ lastSuccessAt: new Date(event.occurredAt) })
          .where('policy_id = :id AND (last_success_at IS NULL OR last_success_at < :at)', { id: next.policyId, at: new Date(event.occurredAt) }).execute();
      }
    });
  }

  async applyPolicyChanged(event: EventEnvelope<PolicyChanged>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const existing = await m.findOneBy(PolicyViewEntity, { policyId: event.payload.policyId });
      await m.save(PolicyViewEntity, {
        policyId: event.payload.policyId, name: event.payload.spec.name, rpoMinutes: event.payload.spec.rpoMinutes,
        deleted: false, lastSuccessAt: existing?.lastSuccessAt ?? null,
        knownSince: existing?.knownSince ?? new Date(event.occurredAt), rpoBreachedAt: existing?.rpoBreachedAt ?? null,
      });
    });
  }

  /** The scheduler's RPO watch: a breach it announced stands until it announces the policy restored. */
  async applyRpoEvent(event: EventEnvelope<PolicyRpoBreached | PolicyRpoRestored>, group: string): Promise<void> {
    await handleOnce(this.dataSource, group, event.eventId, async (m) => {
      const p = event.payload;
      const rpoBreachedAt = 'detectedAt' in p ? new Date(p.detectedAt) : null;
      await m.update(PolicyViewEntity, { policyId: p.policyId }, { rpoBreachedAt });
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
      await m.save(ReplicationViewEntity, {
        snapshotId: p.snapshotId, site: p.site, status: completed ? 'completed' : 'failed',
        lagMs: completed ? p.lagMs : null, bytesCopied: completed ? p.bytesCopied : 0,
        error: completed ? null : (p as ReplicationFailed).reason, at: new Date(event.occurredAt),
      });
    });
  }

  /** The audit log is keyed by eventId, so a redelivered event is naturally written once. */
  async applyAudit(event: EventEnvelope<AuditRecorded>): Promise<void> {
    await this.dataSource.createQueryBuilder().insert().into(AuditEntryEntity).values({
      eventId: event.eventId, time: new Date(event.occurredAt), actor: event.payload.actor, action: event.payload.action,
      target: event.payload.target, details: (event.payload.details ?? {}) as never,
    }).orIgnore().execute();
  }

  async jobs(limit: number, kind?: string): Promise<JobViewEntity[]> {
    return this.dataSource.getRepository(JobViewEntity).find({ where: kind ? { kind: kind as never } : {}, order: { requestedAt: 'DESC' }, take: limit });
  }

  async job(jobId: string): Promise<JobViewEntity> {
    const job = await this.dataSource.getRepository(JobViewEntity).findOneBy({ jobId });
    if (!job) throw new NotFoundException(`job ${jobId} not found`);
    return job;
  }

  async audit(limit: number): Promise<AuditEntryEntity[]> {
    return this.dataSource.getRepository(AuditEntryEntity).find({ order: { time: 'DESC' }, take: limit });
  }

  async summary(now = new Date()) {
    const [jobs] = await this.dataSource.query(`
      SELECT count(*) FILTER (WHERE kind = 'backup') AS total,
             count(*) FILTER (WHERE kind = 'backup' AND status = 'completed') AS completed,
             count(*) FILTER (WHERE kind = 'backup' AND status = 'failed') AS failed,
             count(*) FILTER (WHERE kind = 'backup' AND status = 'cancelled') AS cancelled,
             coalesce(sum((stats->>'bytesRead')::numeric) FILTER (WHERE kind = 'backup' AND status = 'completed'), 0) AS bytes_read,
             coalesce(sum((stats->>'bytesNew')::numeric) FILTER (WHERE kind = 'backup' AND status = 'completed'), 0) AS bytes_new,
             coalesce(sum((stats->>'bytesStored')::numeric) FILTER (WHERE kind = 'backup' AND status = 'completed'), 0) AS bytes_stored
      FROM ${qualifiedTable(this.dataSource, JobViewEntity)}`);
    const finished = Number(jobs.completed) + Number(jobs.failed);
    const policies = await this.dataSource.getRepository(PolicyViewEntity).find({ where: { deleted: false }, order: { name: 'ASC' } });
    const [replication] = await this.dataSource.query(`
      SELECT count(*) FILTER (WHERE status = 'completed') AS completed, count(*) FILTER (WHERE status = 'failed') AS failed,
             max(lag_ms) FILTER (WHERE status = 'completed') AS max_lag_ms, avg(lag_ms) FILTER (WHERE status = 'completed') AS avg_lag_ms
      FROM ${qualifiedTable(this.dataSource, ReplicationViewEntity)}`);
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
      replication: { completed: Number(replication.completed), failed: Number(replication.failed), maxLagMs: replication.max_lag_ms === null ? null : Number(replication.max_lag_ms), avgLagMs: replication.avg_lag_ms === null ? null : Math.round(Number(replication.avg_lag_ms)) },
    };
  }
}
