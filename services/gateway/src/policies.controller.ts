import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PolicySpec } from '@arca/contracts';
import { Actor } from './actor.decorator';
import { ServiceClient } from './service-client';
import { uuidParam } from './uuid-param';

/** Policies are owned by the policy service; the gateway validates and forwards. */
@ApiTags('policies')
@Controller('policies')
export class PoliciesController {
  constructor(private readonly services: ServiceClient) {}

  @Post()
  @ApiOperation({ summary: 'Create a policy (source, schedule, window, RPO, retention, bandwidth)' })
  async create(@Body() spec: PolicySpec, @Actor() actor: string) {
    return (await this.services.request('policy', '/policies', { method: 'POST', body: spec, actor })).body;
  }

  @Get()
  list() {
    return this.services.get('policy', '/policies');
  }

  @Get(':id')
  get(@Param('id', uuidParam('policy id')) id: string) {
    return this.services.get('policy', `/policies/${id}`);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a policy; stores a new version' })
  async update(@Param('id', uuidParam('policy id')) id: string, @Body() spec: PolicySpec, @Actor() actor: string) {
    return (await this.services.request('policy', `/policies/${id}`, { method: 'PUT', body: spec, actor })).body;
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', uuidParam('policy id')) id: string, @Actor() actor: string): Promise<void> {
    await this.services.request('policy', `/policies/${id}`, { method: 'DELETE', actor });
  }
}
