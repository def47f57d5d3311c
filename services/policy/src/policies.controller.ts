import { PolicySpec, RecoveredPoliciesRequest } from '@arca/contracts';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { CallerTenant } from '@arca/service-kit';
import { PoliciesService } from './policies.service';

/** Internal API; operators reach it through the gateway. Every query is the calling tenant's (x-arca-tenant): another tenant's policy is not found. */
@Controller('policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post()
  create(@Body() spec: PolicySpec, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.policies.create(spec, tenant, actor);
  }

  /** Internal, for ingest's recovery: restores the policies it lacks (declared before :id, which would otherwise take the path). */
  @Post('recovered')
  @HttpCode(200)
  restore(@Body() body: RecoveredPoliciesRequest) {
    return this.policies.restore(body.policies);
  }

  @Get()
  list(@CallerTenant() tenant: string) {
    return this.policies.list(tenant);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string, @CallerTenant() tenant: string) {
    return this.policies.get(id, tenant);
  }

  @Get(':id/versions')
  history(@Param('id', ParseUUIDPipe) id: string, @CallerTenant() tenant: string) {
    return this.policies.history(id, tenant);
  }

  @Put(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() spec: PolicySpec, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.policies.update(id, spec, tenant, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.policies.remove(id, tenant, actor);
  }
}
