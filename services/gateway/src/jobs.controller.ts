import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { JobsQuery, ManualBackupRequest } from '@arca/contracts';
import { Caller, CurrentCaller } from './auth/caller';
import { Roles } from './auth/roles';
import { ServiceClient } from './service-client';
import { uuidParam } from './uuid-param';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run a backup now: of a policy, or of a source given inline' })
  async run(@Body() request: ManualBackupRequest, @CurrentCaller() caller: Caller): Promise<{ jobId: string }> {
    return (await this.services.request<{ jobId: string }>('scheduler', '/jobs', { method: 'POST', body: request, actor: caller.actor })).body;
  }

  @Get()
  @Roles('operator', 'auditor')
  list(@Query() query: JobsQuery) {
    return this.services.get('reporting', '/jobs', { limit: query.limit, kind: query.kind });
  }

  @Get(':id')
  @Roles('operator', 'auditor')
  @ApiOperation({ summary: "A job's status, progress and statistics" })
  async get(@Param('id', uuidParam('job id')) id: string) {
    try {
      return await this.services.get('reporting', `/jobs/${id}`);
    } catch (error) {
      if (!(error instanceof NotFoundException) && (error as { getStatus?: () => number }).getStatus?.() !== 404) throw error;
      // Reporting learns of a job from Kafka a moment after the scheduler accepted it; until then the
      // scheduler's record answers, so a client that polls right after POST /jobs never sees a 404.
      const job = await this.services.get<{ id: string; policyId: string | null; source: unknown; requestedAt: string }>('scheduler', `/jobs/${id}`);
      return { jobId: job.id, kind: 'backup', status: 'requested', policyId: job.policyId, source: job.source, requestedAt: job.requestedAt };
    }
  }
}
