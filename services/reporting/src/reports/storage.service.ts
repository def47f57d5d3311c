import { DEFAULT_TENANT } from '@arca/contracts';
import { qualifiedTable } from '@arca/persistence';
import { DailyDelta, dailyTotals, linearForecast, quotaOutlook, utcDay } from '@arca/schedule';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PolicyViewEntity } from '../entities/policy-view.entity';
import { QuotaEntity } from '../entities/quota.entity';
import { ReplicationViewEntity } from '../entities/replication-view.entity';
import { PRIMARY_SITE, StorageDayEntity } from '../entities/storage-day.entity';

/** A day of one policy's storage at one site (GET /reports/storage-daily's rows). */
export interface StorageDay {
  day: string;
  policyId: string | null;
  policyName: string | null;
  site: string;
  /** Backups completed (primary) or snapshots copied (replica) that day. */
  snapshots: number;
  bytesRead: number;
  bytesNew: number;
  /** Written to the site that day: backups' stored bytes, or replication's copied bytes. */
  bytesAdded: number;
  /** Freed by prunes that day (repository-wide: under no policy). */
  bytesFreed: number;
  /** The row's own running total (its tenant, policy and site) at the end of the day: all it added less all it freed. */
  bytesStored: number;
  /** bytesRead / bytesNew and bytesNew / bytesAdded of the day's backups; null without new bytes. */
  dedupeRatio: number | null;
  compressionRatio: number | null;
}

/** A quota with what the forecast says of it. */
export interface QuotaForecast {
  scope: 'site' | 'tenant' | 'request';
  name: string;
  quotaBytes: number;
  bytesStored: number;
  reachedOn: string | null;
  reached: boolean;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** First and last UTC day a period [from, to) touches. */
function periodDays(period: { from: Date; to: Date }): { first: string; last: string } {
  return { first: utcDay(period.from), last: utcDay(new Date(period.to.getTime() - 1)) };
}

/** Storage over time (from the storage_daily read model), replication lag per day, quotas and the storage forecast. */
@Injectable()
export class StorageService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Storage per day, policy and site over a period, oldest first; `limit` rows from `offset`.
   * `totals` is the tenant's bytes stored at each site at the end of every day of the period
   * (days without jobs included), for charts.
   */
  async storageDaily(tenant: string, period: { from: Date; to: Date }, filter: { policyId?: string; site?: string }, page: { limit: number; offset: number }) {
    const table = qualifiedTable(this.dataSource, StorageDayEntity);
    const policies = qualifiedTable(this.dataSource, PolicyViewEntity);
    const { first, last } = periodDays(period);
    const params: unknown[] = [tenant, first, last];
    const where = ['tenant = $1', 'day <= $3'];
    if (filter.policyId) where.push(`policy_id = $${params.push(filter.policyId)}`);
    if (filter.site) where.push(`site = $${params.push(filter.site)}`);
    // The running total runs over every day before the period too; the period's rows are picked after.
    const running = `
      SELECT d.*, sum(d.bytes_added - d.bytes_freed) OVER (PARTITION BY d.policy_id, d.site ORDER BY d.day) AS bytes_stored
      FROM ${table} d WHERE ${where.join(' AND ')}`;
    const [{ total }] = await this.dataSource.query(`SELECT count(*) AS total FROM (${running}) r WHERE r.day >= $2`, params);
    const rows: Array<Record<string, string | null>> = await this.dataSource.query(`
      SELECT to_char(r.day, 'YYYY-MM-DD') AS day, r.policy_id, p.name AS policy_name, r.site, r.snapshots, r.bytes_read, r.bytes_new, r.bytes_added, r.bytes_freed, r.bytes_stored
      FROM (${running}) r LEFT JOIN ${policies} p ON p.policy_id::text = r.policy_id
      WHERE r.day >= $2 ORDER BY r.day, r.site, r.policy_id = '', p.name NULLS LAST, r.policy_id LIMIT ${page.limit} OFFSET ${page.offset}`, params);
    const sites = await this.siteSeries(tenant, first, last, filter);
    return {
      total: Number(total),
      rows: rows.map((r): StorageDay => {
        const read = Number(r.bytes_read); const fresh = Number(r.bytes_new); const added = Number(r.bytes_added);
        const primary = r.site === PRIMARY_SITE;
        return {
          day: r.day!, policyId: r.policy_id || null, policyName: r.policy_name ?? (r.policy_id ? null : 'no policy (manual backups, prunes)'), site: r.site!,
          snapshots: Number(r.snapshots), bytesRead: read, bytesNew: fresh, bytesAdded: added, bytesFreed: Number(r.bytes_freed), bytesStored: Number(r.bytes_stored),
          dedupeRatio: primary && fresh > 0 ? round3(read / fresh) : null, compressionRatio: primary && fresh > 0 && added > 0 ? round3(fresh / added) : null,
        };
      }),
      totals: [...sites].map(([site, series]) => ({ site, days: series.map((s) => ({ day: utcDay(s.day), bytesStored: s.value })) })),
    };
  }

  /** Each site's bytes stored (of one tenant, or of all with `tenant` null) at the end of every day from `first` to `last`. */
  private async siteSeries(tenant: string | null, first: string, last: string, filter: { policyId?: string; site?: string }) {
    const params: unknown[] = [last];
    const where = ['day <= $1'];
    if (tenant !== null) where.push(`tenant = $${params.push(tenant)}`);
    if (filter.policyId) where.push(`policy_id = $${params.push(filter.policyId)}`);
    if (filter.site) where.push(`site = $${params.push(filter.site)}`);
    const perDay: Array<{ site: string; day: string; delta: string }> = await this.dataSource.query(`
      SELECT site, to_char(day, 'YYYY-MM-DD') AS day, sum(bytes_added - bytes_freed) AS delta
      FROM ${qualifiedTable(this.dataSource, StorageDayEntity)} WHERE ${where.join(' AND ')} GROUP BY site, day`, params);
    const bySite = new Map<string, DailyDelta[]>();
    for (const row of perDay) {
      if (!bySite.has(row.site)) bySite.set(row.site, []);
      bySite.get(row.site)!.push({ day: row.day, delta: Number(row.delta) });
    }
    if (filter.site && !bySite.has(filter.site)) bySite.set(filter.site, []);
    return new Map([...bySite].sort(([a], [b]) => (a === PRIMARY_SITE ? -1 : b === PRIMARY_SITE ? 1 : a.localeCompare(b))).map(([site, deltas]) => [site, dailyTotals(deltas, first, last)]));
  }

  /** Replication per day and replica site over a period: snapshots copied, failed, bytes copied, and the lag of the copies (max, average). */
  async replicationLagDaily(tenant: string, period: { from: Date; to: Date }, site: string | undefined, page: { limit: number; offset: number }) {
    const params: unknown[] = [tenant, period.from, period.to, ...(site ? [site] : [])];
    const grouped = `
      SELECT to_char(date_trunc('day', at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, site,
             count(*) FILTER (WHERE status = 'completed') AS completed, count(*) FILTER (WHERE status = 'failed') AS failed,
             coalesce(sum(bytes_copied) FILTER (WHERE status = 'completed'), 0) AS bytes_copied,
             max(lag_ms) FILTER (WHERE status = 'completed') AS max_lag_ms, avg(lag_ms) FILTER (WHERE status = 'completed') AS avg_lag_ms
      FROM ${qualifiedTable(this.dataSource, ReplicationViewEntity)}
      WHERE tenant = $1 AND at >= $2 AND at < $3 ${site ? 'AND site = $4' : ''} GROUP BY 1, site`;
    const [{ total }] = await this.dataSource.query(`SELECT count(*) AS total FROM (${grouped}) g`, params);
    const rows: Array<Record<string, string | null>> = await this.dataSource.query(`${grouped} ORDER BY 1, site LIMIT ${page.limit} OFFSET ${page.offset}`, params);
    return {
      total: Number(total),
      rows: rows.map((r) => ({
        day: r.day!, site: r.site!, completed: Number(r.completed), failed: Number(r.failed), bytesCopied: Number(r.bytes_copied),
        maxLagMs: r.max_lag_ms === null ? null : Number(r.max_lag_ms), avgLagMs: r.avg_lag_ms === null ? null : Math.round(Number(r.avg_lag_ms)),
      })),
    };
  }

  /**
   * The bytes stored at a site at the end of each of the last `days` days (from storage_daily), the
   * growth per day fitted to them, and when each quota is reached at that rate: the tenant's quota
   * (its bytes at the site), the site's (every tenant's bytes there: shown to the default tenant
   * only), and `quotaBytes` if the request names one. `quotaBytes`/`quotaReachedOn` answer for the
   * request's quota, else the tenant's.
   */
  async storageForecast(tenant: string, site: string, days: number, quotaBytes: number | null, now = new Date()) {
    const last = utcDay(now);
    const first = utcDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days + 1)));
    const series = (await this.siteSeries(tenant, first, last, { site })).get(site)!;
    const forecast = linearForecast(series, null);
    const current = series.at(-1)?.value ?? 0;
    const quotas: QuotaForecast[] = [];
    const configured = await this.dataSource.getRepository(QuotaEntity).find({ where: [{ scope: 'tenant', name: tenant }, ...(tenant === DEFAULT_TENANT ? [{ scope: 'site' as const, name: site }] : [])] });
    const tenantQuota = configured.find((q) => q.scope === 'tenant');
    if (tenantQuota) quotas.push({ scope: 'tenant', name: tenant, bytesStored: current, ...quotaOutlook(series, tenantQuota.bytes) });
    const siteQuota = configured.find((q) => q.scope === 'site');
    if (siteQuota) {
      const all = (await this.siteSeries(null, first, last, { site })).get(site)!;
      quotas.push({ scope: 'site', name: site, bytesStored: all.at(-1)?.value ?? 0, ...quotaOutlook(all, siteQuota.bytes) });
    }
    if (quotaBytes !== null) quotas.push({ scope: 'request', name: 'quotaBytes', bytesStored: current, ...quotaOutlook(series, quotaBytes) });
    const answer = quotas.find((q) => q.scope === 'request') ?? quotas.find((q) => q.scope === 'tenant');
    return {
      site, tenant,
      days: series.map((s) => ({ day: utcDay(s.day), bytesStored: s.value })),
      growthBytesPerDay: forecast.growthPerDay === null ? null : Math.round(forecast.growthPerDay),
      quotaBytes: answer?.quotaBytes ?? null, quotaReachedOn: answer?.reachedOn ?? null,
      quotas,
    };
  }

  /** The quotas a tenant may see: its own, and for the default tenant every one. */
  async quotas(tenant: string): Promise<QuotaEntity[]> {
    const repo = this.dataSource.getRepository(QuotaEntity);
    return tenant === DEFAULT_TENANT ? repo.find({ order: { scope: 'ASC', name: 'ASC' } }) : repo.find({ where: { scope: 'tenant', name: tenant } });
  }

  async setQuota(scope: 'site' | 'tenant', name: string, bytes: number, updatedBy: string, now = new Date()): Promise<{ quota: QuotaEntity; previousBytes: number | null }> {
    const repo = this.dataSource.getRepository(QuotaEntity);
    const previous = await repo.findOneBy({ scope, name });
    const quota = await repo.save({ scope, name, bytes, updatedBy, updatedAt: now });
    return { quota, previousBytes: previous?.bytes ?? null };
  }

  /** Removes a quota; false when there was none. */
  async removeQuota(scope: 'site' | 'tenant', name: string): Promise<boolean> {
    return ((await this.dataSource.getRepository(QuotaEntity).delete({ scope, name })).affected ?? 0) > 0;
  }
}
