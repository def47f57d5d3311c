import { Controller, DefaultValuePipe, Get, Param, ParseIntPipe, ParseUUIDPipe, Query } from '@nestjs/common';
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

  @Get('audit')
  audit(@Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number) {
    return this.readModels.audit(Math.max(1, Math.min(limit, 1000)));
  }
}
