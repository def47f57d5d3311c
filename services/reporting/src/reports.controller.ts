import { Controller, DefaultValuePipe, Get, Param, ParseIntPipe, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { once } from 'node:events';
import { auditCsvHeader, auditCsvRow } from './audit-export';
import { ReadModelsService } from './read-models.service';

/** Internal read API behind the gateway's /jobs, /reports and /audit. */
@Controller()
export class ReportsController {
  constructor(private readonly readModels: ReadModelsService) {}

  @Get('jobs')
  jobs(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number, @Query('kind') kind?: string) {
    return this.readModels.jobs(Math.max(1, Math.min(limit, 1000)), kind);
  }

  @Get('jobs/:id')
  job(@Param('id', ParseUUIDPipe) id: string) {
    return this.readModels.job(id);
  }

  @Get('reports/summary')
  summary() {
    return this.readModels.summary();
  }

  @Get('reports/history')
  history(@Query('days', new DefaultValuePipe(30), ParseIntPipe) days: number) {
    return this.readModels.history(Math.max(1, Math.min(days, 366)));
  }

  @Get('audit')
  audit(@Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number) {
    return this.readModels.audit(Math.max(1, Math.min(limit, 1000)));
  }

  @Get('audit/verify')
  verifyAudit() {
    return this.readModels.verifyAudit();
  }

  /** The whole chain in order, streamed a batch at a time (JSON array or CSV), so its length does not matter. */
  @Get('audit/export')
  async exportAudit(@Query('format') format: string | undefined, @Res() res: Response): Promise<void> {
    const csv = format === 'csv';
    res.status(200).setHeader('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json');
    res.setHeader('content-disposition', `attachment; filename="arca-audit.${csv ? 'csv' : 'json'}"`);
    const write = async (text: string) => {
      if (!res.write(text)) await once(res, 'drain');
    };
    await write(csv ? auditCsvHeader() : '[');
    let separator = '\n';
    for await (const batch of this.readModels.auditInOrder()) {
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
