import { DEFAULT_TENANT } from '@arca/contracts';
import { qualifiedTable } from '@arca/persistence';
import { RpoCompliance, rpoCompliance } from '@arca/schedule';
import { Injectable } from '@nestjs/common';
import { And, DataSource, LessThan, MoreThanOrEqual } from 'typeorm';
import { JobViewEntity } from '../entities/job-view.entity';
import { PolicyPromise, PolicyViewEntity } from '../entities/policy-view.entity';
import { RtoBreachEntity } from '../entities/rto-breach.entity';

/** One policy's part of a compliance report. */
export interface PolicyCompliance {
  policyId: string;
  name: string;
  deleted: boolean;
  rpoMinutes: number;
  /** Schedule, window, retention, object lock and replication as the policy's latest version states them. */
  promised: PolicyPromise | null;
  immutable: boolean;
  backups: { completed: number; failed: number; cancelled: number; bytesRead: number; bytesStored: number };
  rpo: RpoCompliance;
  lastSuccessfulBackupAt: Date | null;
  /** The newest test restore of the policy before the period's end, whatever its outcome, and the newest that passed. */
  lastTestRestore: TestRestore | null;
  lastSuccessfulTestRestore: TestRestore | null;
  /**
   * The RTO target and what the newest passed test restore measured (its whole-snapshot estimate); met is null without either.
   * `breaches`: the RTO breaches the scheduler announced (policy.rto_breached) in the period, oldest first.
   */
  rto: { targetMinutes: number | null; observedMinutes: number | null; met: boolean | null; breaches: RtoBreach[] };
}

/** An RTO breach as the compliance report names it: when, by which test restore, what it measured against which target, and when it ended. */
export interface RtoBreach {
  at: Date;
  jobId: string;
  snapshotId: string;
  targetMinutes: number;
  measuredMinutes: number;
  /** When a test restore within the target ended it; null: it stands (at the report's end). */
  restoredAt: Date | null;
}

/** A test restore as the compliance report names it. */
export interface TestRestore {
  jobId: string;
  at: Date;
  status: 'completed' | 'failed';
  files: number | null;
  durationMs: number | null;
  estimatedFullRestoreMs: number | null;
  error: string | null;
  /** A PostgreSQL source's test restore: the tables and rows the dump held once loaded into its scratch database. */
  database: { tables: number; rows: number } | null;
}

export interface ComplianceReport {
  tenant: string;
  from: Date;
  to: Date;
  generatedAt: Date;
  policies: PolicyCompliance[];
  /** The last `arca check` that completed with no damage before the end of the period (repository-wide, so the installation's). */
  lastCleanCheck: { jobId: string; at: Date; packsChecked: number | null; chunksChecked: number | null } | null;
}

/** A day of one policy's backups. */
export interface JobsDay {
  day: string;
  policyId: string | null;
  policyName: string | null;
  completed: number;
  failed: number;
  cancelled: number;
  durationMs: number;
  bytesRead: number;
  bytesNew: number;
  bytesStored: number;
}

/**
 * The reports an operator hands an auditor, from reporting's read models (the jobs folded from
 * their events, the policies as their versions said): compliance per policy over a period
 * and jobs per policy per day
 * (storage over time and its forecast: StorageService).
 */
@Injectable()
export class ComplianceService {
  constructor(private readonly dataSource: DataSource) {}

  async compliance(tenant: string, period: { from: Date; to: Date }, policyId?: string, now = new Date()): Promise<ComplianceReport> {
    const policies = await this.dataSource.getRepository(PolicyViewEntity).find({ where: { tenant, ...(policyId ? { policyId } : {}) }, order: { name: 'ASC' } });
    const jobs = qualifiedTable(this.dataSource, JobViewEntity);
    const out: PolicyCompliance[] = [];
    for (const policy of policies) {
      // Successes before the period decide how it begins (the RPO runs from the last one); failures only within it are causes.
      const rows: Array<{ job_id: string; status: string; finished_at: Date; error: string | null; bytes_read: string | null; bytes_stored: string | null }> = await this.dataSource.query(`
        SELECT job_id, status, finished_at, error, stats->>'bytesRead' AS bytes_read, stats->>'bytesStored' AS bytes_stored FROM ${jobs}
        WHERE tenant = $1 AND policy_id = $2 AND kind = 'backup' AND finished_at IS NOT NULL AND finished_at < $4
          AND (finished_at >= $3 OR (status = 'completed' AND finished_at >= (
            SELECT coalesce(max(finished_at), '-infinity') FROM ${jobs} WHERE tenant = $1 AND policy_id = $2 AND kind = 'backup' AND status = 'completed' AND finished_at < $3)))
        ORDER BY finished_at`, [tenant, policy.policyId, period.from, period.to]);
      const inPeriod = rows.filter((r) => r.finished_at >= period.from);
      const done = inPeriod.filter((r) => r.status === 'completed');
      const to = period.to.getTime() > now.getTime() ? now : period.to; // the future has no compliance yet
      out.push({
        policyId: policy.policyId, name: policy.name, deleted: policy.deleted, rpoMinutes: policy.rpoMinutes, promised: policy.promised,
        immutable: Boolean(policy.promised?.objectLock),
        backups: {
          completed: done.length, failed: inPeriod.filter((r) => r.status === 'failed').length, cancelled: inPeriod.filter((r) => r.status === 'cancelled').length,
          bytesRead: done.reduce((n, r) => n + Number(r.bytes_read ?? 0), 0), bytesStored: done.reduce((n, r) => n + Number(r.bytes_stored ?? 0), 0),
        },
        rpo: rpoCompliance({
          rpoMinutes: policy.rpoMinutes, knownSince: policy.knownSince ?? period.from,
          successes: rows.filter((r) => r.status === 'completed').map((r) => r.finished_at),
          failures: inPeriod.filter((r) => r.status === 'failed').map((r) => ({ jobId: r.job_id, at: r.finished_at, error: r.error })),
          period: { from: period.from, to: to.getTime() > period.from.getTime() ? to : period.from },
        }),
        lastSuccessfulBackupAt: rows.filter((r) => r.status === 'completed').at(-1)?.finished_at ?? null,
        ...(await this.testRestores(tenant, policy.policyId, policy.promised?.rtoMinutes ?? null, period)),
      });
    }
    const [check] = await this.dataSource.query(`
      SELECT job_id, finished_at, stats FROM ${jobs}
      WHERE tenant = $1 AND kind = 'check' AND status = 'completed' AND finished_at < $2 AND jsonb_array_length(coalesce(stats->'damaged', '[]'::jsonb)) = 0
      ORDER BY finished_at DESC LIMIT 1`, [DEFAULT_TENANT, period.to]);
    return {
      tenant, from: period.from, to: period.to, generatedAt: now, policies: out,
      lastCleanCheck: check ? { jobId: check.job_id, at: check.finished_at, packsChecked: numberOrNull(check.stats?.packsChecked), chunksChecked: numberOrNull(check.stats?.chunksChecked) } : null,
    };
  }

  /** The RTO breaches of a policy detected in the period, oldest first. */
  private async rtoBreaches(tenant: string, policyId: string, period: { from: Date; to: Date }): Promise<RtoBreach[]> {
    const rows = await this.dataSource.getRepository(RtoBreachEntity).find({
      where: { tenant, policyId, breachedAt: And(MoreThanOrEqual(period.from), LessThan(period.to)) }, order: { breachedAt: 'ASC' },
    });
    return rows.map((r) => ({
      at: r.breachedAt, jobId: r.jobId, snapshotId: r.snapshotId, targetMinutes: r.rtoMinutes, measuredMinutes: Math.round(r.measuredMs / 600) / 100,
      restoredAt: r.restoredAt && r.restoredAt < period.to ? r.restoredAt : null,
    }));
  }

  /** A policy's newest test restore before the period's end, its newest passed one, and the RTO that one measured against the target. */
  private async testRestores(tenant: string, policyId: string, rtoMinutes: number | null, period: { from: Date; to: Date }): Promise<Pick<PolicyCompliance, 'lastTestRestore' | 'lastSuccessfulTestRestore' | 'rto'>> {
    const jobs = qualifiedTable(this.dataSource, JobViewEntity);
    const newest = async (status: string) => {
      const [row] = await this.dataSource.query(`
        SELECT job_id, status, finished_at, stats, error FROM ${jobs}
        WHERE tenant = $1 AND policy_id = $2 AND kind = 'verify' AND status = ANY($3) AND finished_at < $4 ORDER BY finished_at DESC LIMIT 1`,
      [tenant, policyId, status === 'any' ? ['completed', 'failed'] : [status], period.to]);
      return row ? {
        jobId: row.job_id, at: row.finished_at, status: row.status, files: numberOrNull(row.stats?.files), durationMs: numberOrNull(row.stats?.durationMs),
        estimatedFullRestoreMs: numberOrNull(row.stats?.estimatedFullRestoreMs), error: row.error,
        database: row.stats?.database ? { tables: Number(row.stats.database.tables), rows: Number(row.stats.database.rows) } : null,
      } as TestRestore : null;
    };
    const last = await newest('any');
    const passed = last?.status === 'completed' ? last : await newest('completed');
    const observedMinutes = passed?.estimatedFullRestoreMs !== null && passed?.estimatedFullRestoreMs !== undefined ? Math.round(passed.estimatedFullRestoreMs / 600) / 100 : null;
    return {
      lastTestRestore: last, lastSuccessfulTestRestore: passed,
      rto: {
        targetMinutes: rtoMinutes, observedMinutes, met: rtoMinutes !== null && observedMinutes !== null ? observedMinutes <= rtoMinutes : null,
        breaches: await this.rtoBreaches(tenant, policyId, period),
      },
    };
  }

  /** Backups per policy per day (UTC) over a period: outcomes, time spent and bytes; `limit` rows from `offset`, oldest day first. */
  async jobsDaily(tenant: string, period: { from: Date; to: Date }, policyId: string | undefined, page: { limit: number; offset: number }): Promise<{ rows: JobsDay[]; total: number }> {
    const jobs = qualifiedTable(this.dataSource, JobViewEntity);
    const policies = qualifiedTable(this.dataSource, PolicyViewEntity);
    const where = `j.tenant = $1 AND j.kind = 'backup' AND j.finished_at >= $2 AND j.finished_at < $3 ${policyId ? 'AND j.policy_id = $4' : ''}`;
    const params: unknown[] = [tenant, period.from, period.to, ...(policyId ? [policyId] : [])];
    const grouped = `
      SELECT to_char(date_trunc('day', j.finished_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, j.policy_id, p.name AS policy_name,
             count(*) FILTER (WHERE j.status = 'completed') AS completed, count(*) FILTER (WHERE j.status = 'failed') AS failed,
             count(*) FILTER (WHERE j.status = 'cancelled') AS cancelled,
             coalesce(sum((j.stats->>'durationMs')::numeric), 0) AS duration_ms,
             coalesce(sum((j.stats->>'bytesRead')::numeric) FILTER (WHERE j.status = 'completed'), 0) AS bytes_read,
             coalesce(sum((j.stats->>'bytesNew')::numeric) FILTER (WHERE j.status = 'completed'), 0) AS bytes_new,
             coalesce(sum((j.stats->>'bytesStored')::numeric) FILTER (WHERE j.status = 'completed'), 0) AS bytes_stored
      FROM ${jobs} j LEFT JOIN ${policies} p ON p.policy_id = j.policy_id WHERE ${where}
      GROUP BY 1, j.policy_id, p.name`;
    const [{ total }] = await this.dataSource.query(`SELECT count(*) AS total FROM (${grouped}) g`, params);
    const rows = await this.dataSource.query(`${grouped} ORDER BY 1, p.name NULLS LAST, j.policy_id LIMIT ${page.limit} OFFSET ${page.offset}`, params);
    return {
      total: Number(total),
      rows: rows.map((r: Record<string, string | null>) => ({
        day: r.day!, policyId: r.policy_id, policyName: r.policy_name ?? (r.policy_id ? null : 'manual backups'),
        completed: Number(r.completed), failed: Number(r.failed), cancelled: Number(r.cancelled), durationMs: Number(r.duration_ms),
        bytesRead: Number(r.bytes_read), bytesNew: Number(r.bytes_new), bytesStored: Number(r.bytes_stored),
      })),
    };
  }
}

function numberOrNull(value: unknown): number | null {
  return value === undefined || value === null ? null : Number(value);
}
