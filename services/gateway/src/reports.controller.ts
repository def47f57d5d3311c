import { DEFAULT_TENANT, JobsDailyQuery, ReplicationLagDailyQuery, ReportQuery, StorageDailyQuery, StorageForecastQuery } from '@arca/contracts';
import { Controller, ForbiddenException, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Caller, CurrentCaller } from './auth/caller';
import { Roles } from './auth/roles';
import { ServiceClient } from './service-client';

/** The reports an operator hands an auditor: read-only, so auditors may fetch them as operators do. */
@ApiTags('reports')
@Roles('operator', 'auditor')
@Controller('reports')
export class ReportsController {
  constructor(private readonly services: ServiceClient) {}

  @Get('compliance')
  @ApiOperation({ summary: "Per policy over a period (default the last 90 days): the schedule and RPO it promised, the share of the period the RPO was met, each breach with the failed backups that caused it, retention, immutability, the last clean check; as JSON, CSV or PDF" })
  @ApiProduces('application/json', 'text/csv', 'application/pdf')
  async compliance(@Query() query: ReportQuery, @Res() res: Response, @CurrentCaller() caller: Caller): Promise<void> {
    await this.services.relay('reporting', '/reports/compliance', {
      query: { from: query.from, to: query.to, policy: query.policy, format: query.format ?? 'json' }, tenant: caller.tenant,
    }, res, 'the compliance report');
  }

  @Get('jobs-daily')
  @ApiOperation({ summary: 'Backups per policy per day (UTC) over a period: completed, failed, cancelled, time spent, bytes read, new and stored; paginated (limit, offset)' })
  jobsDaily(@Query() query: JobsDailyQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/reports/jobs-daily', caller.tenant, { from: query.from, to: query.to, policy: query.policy, format: query.format, limit: query.limit, offset: query.offset });
  }

  @Get('storage-forecast')
  @ApiOperation({ summary: "Bytes stored at a site (default primary) at the end of each of the last days (default 30), the growth per day fitted to them, and the day each quota is reached at that rate: the tenant's and the site's set under /quotas (the site's: default tenant only), and quotaBytes if given" })
  storageForecast(@Query() query: StorageForecastQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/reports/storage-forecast', tenantAsked(caller, query.tenant), { days: query.days, quotaBytes: query.quotaBytes, site: query.site });
  }

  @Get('storage-daily')
  @ApiOperation({ summary: "Storage per day (UTC), policy and site over a period: snapshots, bytes read, new, added and freed, the running total stored, dedupe and compression ratios; each site's total per day (totals); paginated (limit, offset); tenant: another tenant's (default tenant only)" })
  storageDaily(@Query() query: StorageDailyQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/reports/storage-daily', tenantAsked(caller, query.tenant), {
      from: query.from, to: query.to, policy: query.policy, site: query.site, limit: query.limit, offset: query.offset,
    });
  }

  @Get('replication-lag-daily')
  @ApiOperation({ summary: 'Replication per day (UTC) and replica site over a period: snapshots copied and failed, bytes copied, the maximum and average lag of the copies; paginated (limit, offset)' })
  replicationLagDaily(@Query() query: ReplicationLagDailyQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/reports/replication-lag-daily', caller.tenant, { from: query.from, to: query.to, site: query.site, limit: query.limit, offset: query.offset });
  }
}

/** The tenant a report is of: the caller's, or one it names if it is of the default tenant (which sees the whole installation). */
export function tenantAsked(caller: Caller, tenant: string | undefined): string {
  if (!tenant || tenant === caller.tenant) return caller.tenant;
  if (caller.tenant !== DEFAULT_TENANT) throw new ForbiddenException(`tenant: only callers of the ${DEFAULT_TENANT} tenant may read another tenant's reports`);
  return tenant;
}
