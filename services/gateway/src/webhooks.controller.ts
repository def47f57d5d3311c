import { CreateWebhookRequest } from '@arca/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller } from './auth/caller';
import { Roles } from './auth/roles';
import { GatewayEvents } from './gateway-events';
import { ServiceClient } from './service-client';
import { uuidParam } from './uuid-param';

/** Webhook subscriptions live in reporting, which consumes the events they are about. */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly services: ServiceClient, private readonly events: GatewayEvents) {}

  @Post()
  @Roles('admin') // a subscription sends event data out of the platform
  @ApiOperation({ summary: 'Subscribe an HTTPS (or loopback HTTP) endpoint to events; the answer holds the signing secret, shown this once' })
  async subscribe(@Body() request: CreateWebhookRequest, @CurrentCaller() caller: Caller) {
    const created = (await this.services.request<{ id: string }>('reporting', '/webhooks', { method: 'POST', body: request, actor: caller.actor, tenant: caller.tenant })).body;
    await this.events.audit(caller, 'webhook.create', created.id, { url: request.url, events: request.events });
    return created;
  }

  @Get()
  @Roles('operator', 'auditor')
  list(@CurrentCaller() caller: Caller) {
    return this.services.get('reporting', '/webhooks', caller.tenant);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async remove(@Param('id', uuidParam('webhook id')) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.services.request('reporting', `/webhooks/${id}`, { method: 'DELETE', tenant: caller.tenant });
    await this.events.audit(caller, 'webhook.delete', id);
  }

  @Get(':id/deliveries')
  @Roles('operator', 'auditor')
  @ApiOperation({ summary: "A subscription's deliveries, newest first: status, attempts, the receiver's last answer" })
  deliveries(@Param('id', uuidParam('webhook id')) id: string, @CurrentCaller() caller: Caller, @Query('limit') limit?: string) {
    return this.services.get('reporting', `/webhooks/${id}/deliveries`, caller.tenant, { limit });
  }

  @Post(':id/test')
  @Roles('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a webhook.test delivery to the subscription (see its deliveries for the answer)' })
  async test(@Param('id', uuidParam('webhook id')) id: string, @CurrentCaller() caller: Caller) {
    return (await this.services.request('reporting', `/webhooks/${id}/test`, { method: 'POST', tenant: caller.tenant })).body;
  }
}
