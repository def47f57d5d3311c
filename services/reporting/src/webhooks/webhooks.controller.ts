import { CreateWebhookRequest } from '@arca/contracts';
import { Body, Controller, DefaultValuePipe, Delete, Get, Headers, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CallerTenant } from '@arca/service-kit';
import { WebhooksService } from './webhooks.service';

/** Internal API behind the gateway's /webhooks: the calling tenant's subscriptions (x-arca-tenant) only. */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  subscribe(@Body() request: CreateWebhookRequest, @CallerTenant() tenant: string, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.webhooks.subscribe(request, tenant, actor);
  }

  @Get()
  list(@CallerTenant() tenant: string) {
    return this.webhooks.list(tenant);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CallerTenant() tenant: string) {
    return this.webhooks.remove(tenant, id);
  }

  @Get(':id/deliveries')
  deliveries(@Param('id', ParseUUIDPipe) id: string, @CallerTenant() tenant: string, @Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number) {
    return this.webhooks.deliveries(tenant, id, Math.max(1, Math.min(limit, 1000)));
  }

  @Post(':id/test')
  @HttpCode(202)
  test(@Param('id', ParseUUIDPipe) id: string, @CallerTenant() tenant: string) {
    return this.webhooks.test(tenant, id);
  }
}
