import { PolicySpec } from '@arca/contracts';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { PoliciesService } from './policies.service';

/** Internal API; operators reach it through the gateway. */
@Controller('policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post()
  create(@Body() spec: PolicySpec, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.policies.create(spec, actor);
  }

  @Get()
  list() {
    return this.policies.list();
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.policies.get(id);
  }

  @Get(':id/versions')
  history(@Param('id', ParseUUIDPipe) id: string) {
    return this.policies.history(id);
  }

  @Put(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() spec: PolicySpec, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.policies.update(id, spec, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.policies.remove(id, actor);
  }
}
