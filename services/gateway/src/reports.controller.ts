import { JobsDailyQuery, ReportQuery, StorageForecastQuery } from '@arca/contracts';
import { Controller, Get, Query, Res } from '@nestjs/common';
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
  @ApiOperation({ summary: 'Stored bytes at the end of each of the last days (default 30), the growth per day fitted to them, and the day a quota (quotaBytes) is reached at that rate' })
  storageForecast(@Query() query: StorageForecastQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/reports/storage-forecast', caller.tenant, { days: query.days, quotaBytes: query.quotaBytes });
  }
}
