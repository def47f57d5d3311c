import { JobsDailyQuery, PutQuotaRequest, quotaTargetProblem, ReplicationLagDailyQuery, ReportQuery, reportPeriod, StorageDailyQuery, StorageForecastQuery } from '@arca/contracts';
import { CallerTenant } from '@arca/service-kit';
import { BadRequestException, Body, Controller, Delete, Get, NotFoundException, Param, Put, Query, Res } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { complianceCsv, compliancePdf } from './compliance-export';
import { ComplianceService } from './compliance.service';
import { StorageService } from './storage.service';

function period(query: Pick<ReportQuery, 'from' | 'to'>): { from: Date; to: Date } {
  const p = reportPeriod(query);
  if ('error' in p) throw new BadRequestException(p.error);
  return p;
}

function page(query: { limit?: string; offset?: string }): { limit: number; offset: number } {
  return { limit: Number(query.limit ?? 100), offset: Number(query.offset ?? 0) };
}

function scopeOf(scope: string): 'site' | 'tenant' {
  if (scope === 'sites') return 'site';
  if (scope === 'tenants') return 'tenant';
  throw new NotFoundException(`no quotas of "${scope}": quotas are of sites or tenants`);
}

/** What the gateway sends to set a quota: the request, and who asked (for the quota's record). */
class SetQuotaBody extends PutQuotaRequest {
  @IsString() @MaxLength(300) updatedBy: string;
}

/** Internal routes behind the gateway's /reports/* and /quotas: the calling tenant's only (the gateway decides whose). */
@Controller()
export class ComplianceController {
  constructor(private readonly reports: ComplianceService, private readonly storage: StorageService) {}

  @Get('reports/compliance')
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

  @Get('reports/jobs-daily')
  jobsDaily(@Query() query: JobsDailyQuery, @CallerTenant() tenant: string) {
    if (query.format && query.format !== 'json') throw new BadRequestException('jobs-daily is JSON only; the CLI writes it as CSV with --csv');
    const p = page(query);
    return this.reports.jobsDaily(tenant, period(query), query.policy, p).then((r) => ({ ...r, ...p }));
  }

  @Get('reports/storage-forecast')
  storageForecast(@Query() query: StorageForecastQuery, @CallerTenant() tenant: string) {
    return this.storage.storageForecast(tenant, query.site ?? 'primary', Number(query.days ?? 30), query.quotaBytes ? Number(query.quotaBytes) : null);
  }

  @Get('reports/storage-daily')
  async storageDaily(@Query() query: StorageDailyQuery, @CallerTenant() tenant: string) {
    const p = page(query);
    return { ...(await this.storage.storageDaily(tenant, period(query), { policyId: query.policy, site: query.site }, p)), ...p };
  }

  @Get('reports/replication-lag-daily')
  async replicationLagDaily(@Query() query: ReplicationLagDailyQuery, @CallerTenant() tenant: string) {
    const p = page(query);
    return { ...(await this.storage.replicationLagDaily(tenant, period(query), query.site, p)), ...p };
  }

  @Get('quotas')
  quotas(@CallerTenant() tenant: string) {
    return this.storage.quotas(tenant);
  }

  @Put('quotas/:scope/:name')
  setQuota(@Param('scope') scope: string, @Param('name') name: string, @Body() body: SetQuotaBody) {
    const s = scopeOf(scope);
    const problem = quotaTargetProblem(s, name);
    if (problem) throw new BadRequestException(problem);
    return this.storage.setQuota(s, name, body.bytes, body.updatedBy);
  }

  @Delete('quotas/:scope/:name')
  async removeQuota(@Param('scope') scope: string, @Param('name') name: string) {
    const s = scopeOf(scope);
    if (!(await this.storage.removeQuota(s, name))) throw new NotFoundException(`no quota is set for ${s} ${name}`);
    return { scope: s, name, removed: true };
  }
}
