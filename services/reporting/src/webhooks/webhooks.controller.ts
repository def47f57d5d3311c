import { CreateWebhookRequest } from '@arca/contracts';
import { Body, Controller, DefaultValuePipe, Delete, Get, Headers, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { WebhooksService } from './webhooks.service';

/** Internal API behind the gateway's /webhooks. */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  subscribe(@Body() request: CreateWebhookRequest, @Headers('x-arca-actor') actor = 'anonymous') {
    return this.webhooks.subscribe(request, actor);
  }

  @Get()
  list() {
    return this.webhooks.list();
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  deliveries(@Param('id', ParseUUIDPipe) id: string, @Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number) {
    return this.webhooks.deliveries(id, Math.max(1, Math.min(limit, 1000)));
  }

  @Post(':id/test')
  @HttpCode(202)
  test(@Param('id', ParseUUIDPipe) id: string) {
    return this.webhooks.test(id);
  }
}
