import { Controller, DefaultValuePipe, Get, Param, ParseIntPipe, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { once } from 'node:events';
import { CallerTenant } from '@arca/service-kit';
import { auditCsvHeader, auditCsvRow } from './audit-export';
import { ReadModelsService } from './read-models.service';

/** Internal read API behind the gateway's /jobs, /reports and /audit: the calling tenant's (x-arca-tenant) only. */
@Controller()
export class ReportsController {
  constructor(private readonly readModels: ReadModelsService) {}

  @Get('jobs')
  jobs(@CallerTenant() tenant: string, @Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number, @Query('kind') kind?: string) {
    return this.readModels.jobs(tenant, Math.max(1, Math.min(limit, 1000)), kind);
  }

  @Get('jobs/:id')
  job(@Param('id', ParseUUIDPipe) id: string, @CallerTenant() tenant: string) {
    return this.readModels.job(tenant, id);
  }

  @Get('reports/summary')
  summary(@CallerTenant() tenant: string) {
    return this.readModels.summary(tenant);
  }

  @Get('reports/history')
  history(@CallerTenant() tenant: string, @Query('days', new DefaultValuePipe(30), ParseIntPipe) days: number) {
    return this.readModels.history(tenant, Math.max(1, Math.min(days, 366)));
  }

  @Get('audit')
  audit(@CallerTenant() tenant: string, @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number) {
    return this.readModels.audit(tenant, Math.max(1, Math.min(limit, 1000)));
  }

  @Get('audit/verify')
  verifyAudit(@CallerTenant() tenant: string) {
    return this.readModels.verifyAudit(tenant);
  }

  /** The whole chain in order, streamed a batch at a time (JSON array or CSV), so its length does not matter. */
  @Get('audit/export')
  async exportAudit(@Query('format') format: string | undefined, @CallerTenant() tenant: string, @Res() res: Response): Promise<void> {
    const csv = format === 'csv';
    res.status(200).setHeader('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json');
    res.setHeader('content-disposition', `attachment; filename="arca-audit.${csv ? 'csv' : 'json'}"`);
    const write = async (text: string) => {
      if (!res.write(text)) await once(res, 'drain');
    };
    await write(csv ? auditCsvHeader() : '[');
    let separator = '\n';
    for await (const batch of this.readModels.auditInOrder(tenant)) {
      if (csv) {
        await write(batch.map(auditCsvRow).join(''));
      } else {
        await write(separator + batch.map((e) => JSON.stringify(e)).join(',\n'));
        separator = ',\n';
      }
    }
    res.end(csv ? '' : '\n]\n');
  }
}
