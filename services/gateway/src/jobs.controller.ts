import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { JobsQuery, ManualBackupRequest, redactedSource, SourceSpec } from '@arca/contracts';
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
    return (await this.services.request<{ jobId: string }>('scheduler', '/jobs', { method: 'POST', body: request, actor: caller.actor, tenant: caller.tenant })).body;
  }

  @Get()
  @Roles('operator', 'auditor')
  list(@Query() query: JobsQuery, @CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/jobs', caller.tenant, { limit: query.limit, kind: query.kind });
  }

  @Get(':id')
  @Roles('operator', 'auditor')
  @ApiOperation({ summary: "A job's status, progress and statistics; a scheduled backup also lists its attempts (first run and retries)" })
  async get(@Param('id', uuidParam('job id')) id: string, @CurrentCaller() caller: Caller) {
    const view = await this.services.get<{ kind: string }>('reporting', `/jobs/${id}`, caller.tenant).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (view && view.kind !== 'backup') return view;
    // Backups are the scheduler's: it knows their attempts. Reporting learns of a job from Kafka a
    // moment after the scheduler accepted it (and of a retry only once it is due), so until then
    // the scheduler's record answers, and a client polling right after POST /jobs never sees a 404.
    const scheduled = await this.services.get<ScheduledJob>('scheduler', `/jobs/${id}`, caller.tenant).catch((error: unknown) => {
      if (isNotFound(error) && view) return undefined; // a backup the scheduler did not request (an upload)
      throw error;
    });
    if (!scheduled) return view;
    const attempts = { attempt: scheduled.attempt, retryOf: scheduled.retryOf, attempts: scheduled.attempts };
    return view
      ? { ...view, ...attempts }
      : { jobId: scheduled.id, kind: 'backup', status: scheduled.status, policyId: scheduled.policyId, source: redactedSource(scheduled.source), requestedAt: scheduled.requestedAt, ...attempts };
  }
}

interface ScheduledJob {
  id: string;
  policyId: string | null;
  source: SourceSpec;
  status: string;
  requestedAt: string;
  attempt: number;
  retryOf: string | null;
  attempts: unknown[];
}

function isNotFound(error: unknown): boolean {
  return error instanceof NotFoundException || (error as { getStatus?: () => number }).getStatus?.() === 404;
}
