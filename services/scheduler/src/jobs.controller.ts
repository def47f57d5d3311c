import { ManualBackupRequest } from '@arca/contracts';
import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CallerTenant } from '@arca/service-kit';
import { SchedulerService } from './scheduler.service';

/** Internal API: manual runs (through the gateway's POST /jobs) and the jobs the scheduler requested. */
@Controller('jobs')
export class JobsController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Post()
  @HttpCode(202)
  run(@Body() request: ManualBackupRequest, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.scheduler.requestManualBackup(request, tenant, actor);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string, @CallerTenant() tenant: string) {
    return this.scheduler.job(id, tenant);
  }
}
