import { JobsDailyQuery, ReportQuery, reportPeriod, StorageForecastQuery } from '@arca/contracts';
import { CallerTenant } from '@arca/service-kit';
import { BadRequestException, Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { complianceCsv, compliancePdf } from './compliance-export';
import { ComplianceService } from './compliance.service';

function period(query: ReportQuery): { from: Date; to: Date } {
  const p = reportPeriod(query);
  if ('error' in p) throw new BadRequestException(p.error);
  return p;
}

/** Internal routes behind the gateway's /reports/compliance, /reports/jobs-daily and /reports/storage-forecast: the calling tenant's only. */
@Controller('reports')
export class ComplianceController {
  constructor(private readonly reports: ComplianceService) {}

  @Get('compliance')
  async compliance(@Query() query: ReportQuery, @CallerTenant() tenant: string, @Res() res: Response): Promise<void> {
    const report = await this.reports.compliance(tenant, period(query), query.policy);
    const name = `arca-compliance-${report.from.toISOString().slice(0, 10)}-${report.to.toISOString().slice(0, 10)}`;
    if (query.format === 'csv' || query.format === 'pdf') {
      res.status(200).setHeader('content-type', query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf');
      res.setHeader('content-disposition', `attachment; filename="${name}.${query.format}"`);
      res.end(query.format === 'csv' ? complianceCsv(report) : await compliancePdf(report));
      return;
    }
    res.status(200).json(report);
  }

  @Get('jobs-daily')
  jobsDaily(@Query() query: JobsDailyQuery, @CallerTenant() tenant: string) {
    if (query.format && query.format !== 'json') throw new BadRequestException('jobs-daily is JSON only; the CLI writes it as CSV with --csv');
    const page = { limit: Number(query.limit ?? 100), offset: Number(query.offset ?? 0) };
    return this.reports.jobsDaily(tenant, period(query), query.policy, page).then((r) => ({ ...r, ...page }));
  }

  @Get('storage-forecast')
  storageForecast(@Query() query: StorageForecastQuery, @CallerTenant() tenant: string) {
    return this.reports.storageForecast(tenant, Number(query.days ?? 30), query.quotaBytes ? Number(query.quotaBytes) : null);
  }
}
