import { ForgetRequest, HoldRequest } from '@arca/contracts';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CallerTenant } from '@arca/service-kit';
import { RetentionService } from './retention.service';

/** Internal API behind the gateway's retention and legal-hold routes. */
@Controller()
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get('policies/:id/retention/preview')
  preview(@Param('id', ParseUUIDPipe) policyId: string, @CallerTenant() tenant: string) {
    return this.retention.apply(policyId, { dryRun: true, actor: 'preview', tenant });
  }

  @Post('policies/:id/forget')
  @HttpCode(200)
  forget(@Param('id', ParseUUIDPipe) policyId: string, @Body() request: ForgetRequest, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.retention.apply(policyId, { dryRun: request.dryRun, actor, tenant });
  }

  @Post('snapshots/:id/hold')
  @HttpCode(200)
  hold(@Param('id') id: string, @Body() request: HoldRequest, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.retention.hold(tenant, id, request.reason, actor);
  }

  @Delete('snapshots/:id/hold')
  release(@Param('id') id: string, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.retention.release(tenant, id, actor);
  }
}
