import { AddKeySlotRequest } from '@arca/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller } from './auth/caller';
import { InstallationRoute, Roles } from './auth/roles';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';
import { keySlotParam } from './uuid-param';

interface SlotAnswer {
  repositoryId: string;
  slot: { id: string; label: string; kind: string; binding?: string };
}

/**
 * The repository key's slots: wrapped copies of the master key, each with its own passphrase or
 * KMS binding. Admins of the installation's tenant only (the key is every tenant's); each change
 * is audited with the slot's id, label and kind, never its secret.
 */
@ApiTags('operations')
@Controller('repository/key-slots')
export class KeySlotsController {
  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Get()
  @Roles('admin')
  @InstallationRoute()
  @ApiOperation({ summary: "The repository key's slots (id, label, kind, KMS binding; never wrapped material)" })
  async list(@CurrentCaller() caller: Caller) {
    return (await this.services.request('ingest', '/repository/key-slots', { method: 'GET', actor: caller.actor, tenant: caller.tenant })).body;
  }

  @Post()
  @Roles('admin')
  @InstallationRoute()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a key slot: the master key wrapped by a new passphrase, the local key or a Vault Transit key (no data is rewritten)' })
  async add(@Body() request: AddKeySlotRequest, @CurrentCaller() caller: Caller) {
    const result = (await this.services.request<SlotAnswer>('ingest', '/repository/key-slots', { method: 'POST', body: request, actor: caller.actor, tenant: caller.tenant })).body;
    await this.audit(caller, 'repository.key_slot.added', result);
    return result;
  }

  @Delete(':slot')
  @Roles('admin')
  @InstallationRoute()
  @ApiOperation({ summary: 'Revoke a key slot (by id or label): the key file is rewritten without it; the last slot cannot be revoked' })
  async revoke(@Param('slot', keySlotParam) slot: string, @CurrentCaller() caller: Caller) {
    const result = (await this.services.request<SlotAnswer>('ingest', `/repository/key-slots/${encodeURIComponent(slot)}`, { method: 'DELETE', actor: caller.actor, tenant: caller.tenant })).body;
    await this.audit(caller, 'repository.key_slot.revoked', result);
    return result;
  }

  private audit(caller: Caller, action: string, result: SlotAnswer): Promise<unknown> {
    const { id, label, kind, binding } = result.slot;
    return this.events.audit(caller, action, result.repositoryId, { slot: id, label, kind, ...(binding ? { binding } : {}) });
  }
}
