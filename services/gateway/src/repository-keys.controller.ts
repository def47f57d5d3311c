import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller } from './auth/caller';
import { InstallationRoute, Roles } from './auth/roles';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';

interface RotationAnswer {
  repositoryId: string;
  generation: number;
  previous: number;
  createdAt: string;
}

/**
 * The repository master key's generations: rotating makes a new one that every new object is
 * sealed under (the old ones stay, so old data reads). Admins of the installation's tenant only,
 * like the key slots (the key is every tenant's); a rotation is audited with its generations.
 */
@ApiTags('operations')
@Controller('repository')
export class RepositoryKeysController {
  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Get('keys')
  @Roles('admin')
  @InstallationRoute()
  @ApiOperation({ summary: "The master key's generations: created at, packs and bytes still sealed under each, messages sealed against the 2^32 nonce bound" })
  async report(@CurrentCaller() caller: Caller) {
    return (await this.services.request('ingest', '/repository/keys', { method: 'GET', actor: caller.actor, tenant: caller.tenant })).body;
  }

  @Post('key-rotation')
  @Roles('admin')
  @InstallationRoute()
  @HttpCode(201)
  @ApiOperation({ summary: 'Rotate the master key: a new generation seals every new chunk, pack and manifest; old generations stay readable; chunk ids (dedupe) do not change' })
  async rotate(@CurrentCaller() caller: Caller) {
    const result = (await this.services.request<RotationAnswer>('ingest', '/repository/key-rotation', { method: 'POST', actor: caller.actor, tenant: caller.tenant })).body;
    await this.events.audit(caller, 'repository.key.rotated', result.repositoryId, { generation: result.generation, previous: result.previous });
    return result;
  }
}
