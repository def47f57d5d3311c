import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PolicySpec } from '@arca/contracts';
import { Caller, CurrentCaller } from './auth/caller';
import { Roles } from './auth/roles';
import { ServiceClient } from './service-client';
import { uuidParam } from './uuid-param';

/** Policies are owned by the policy service; the gateway validates and forwards. */
@ApiTags('policies')
@Controller('policies')
export class PoliciesController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @Roles('operator')
  @ApiOperation({ summary: 'Create a policy (source, schedule, window, RPO, retention, bandwidth)' })
  async create(@Body() spec: PolicySpec, @CurrentCaller() caller: Caller) {
    return (await this.services.request('policy', '/policies', { method: 'POST', body: spec, actor: caller.actor, tenant: caller.tenant })).body;
  }

  @Get()
  @Roles('operator', 'auditor')
  list(@CurrentCaller() caller: Caller) {
    return this.services.get('policy', '/policies', caller.tenant);
  }

  @Get(':id')
  @Roles('operator', 'auditor')
  get(@Param('id', uuidParam('policy id')) id: string, @CurrentCaller() caller: Caller) {
    return this.services.get('policy', `/policies/${id}`, caller.tenant);
  }

  @Put(':id')
  @Roles('operator')
  @ApiOperation({ summary: 'Replace a policy; stores a new version' })
  async update(@Param('id', uuidParam('policy id')) id: string, @Body() spec: PolicySpec, @CurrentCaller() caller: Caller) {
    return (await this.services.request('policy', `/policies/${id}`, { method: 'PUT', body: spec, actor: caller.actor, tenant: caller.tenant })).body;
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  async remove(@Param('id', uuidParam('policy id')) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.services.request('policy', `/policies/${id}`, { method: 'DELETE', actor: caller.actor, tenant: caller.tenant });
  }
}
