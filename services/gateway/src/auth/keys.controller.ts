import { CreateApiKeyRequest, DEFAULT_TENANT } from '@arca/contracts';
import { Body, Controller, Delete, ForbiddenException, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { GatewayEvents } from '../gateway-events';
import { uuidParam } from '../uuid-param';
import { ApiKeysService } from './api-keys.service';
import { Caller, CurrentCaller } from './caller';
import { Roles } from './roles';

/** API keys: admins only. A key's secret appears in the answer that creates it, and never again. */
@ApiTags('keys')
@Roles('admin')
@Controller('keys')
export class KeysController {
  constructor(private readonly keys: ApiKeysService, private readonly events: GatewayEvents) {}

  @Post()
  @ApiOperation({ summary: "Create an API key with a role, for the caller's tenant (admins of default: any tenant); the answer holds the key, shown this once" })
  async create(@Body() request: CreateApiKeyRequest, @CurrentCaller() caller: Caller) {
    const tenant = request.tenant ?? caller.tenant;
    if (tenant !== caller.tenant && caller.tenant !== DEFAULT_TENANT) throw new ForbiddenException(`only admins of the ${DEFAULT_TENANT} tenant may create keys for another tenant`);
    const created = await this.keys.create({ name: request.name, role: request.role, tenant }, caller.actor);
    await this.events.audit(caller, 'key.create', created.id, { name: created.name, role: created.role, tenant });
    return created;
  }

  @Get()
  @ApiOperation({ summary: 'Every key: id, name, role, prefix, created, last used, revoked (never the secret)' })
  list(@CurrentCaller() caller: Caller) {
    return this.keys.list(caller.tenant);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a key: it stops working at once' })
  async revoke(@Param('id', uuidParam('key id')) id: string, @CurrentCaller() caller: Caller) {
    const revoked = await this.keys.revoke(id, caller.tenant);
    await this.events.audit(caller, 'key.revoke', id, { name: revoked.name, role: revoked.role });
    return revoked;
  }

  @Post(':id/rotate')
  @ApiOperation({ summary: 'Replace a key by a new one of the same name and role; the old one stops working' })
  async rotate(@Param('id', uuidParam('key id')) id: string, @CurrentCaller() caller: Caller) {
    const created = await this.keys.rotate(id, caller.tenant, caller.actor);
    await this.events.audit(caller, 'key.rotate', id, { name: created.name, role: created.role, newKeyId: created.id });
    return created;
  }
}
