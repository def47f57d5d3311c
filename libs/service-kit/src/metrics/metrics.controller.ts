import { Controller, Get, Header } from '@nestjs/common';
import { openTelemetryPrometheusText } from '@arca/telemetry';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../http/public-route';
import { MetricsService } from './metrics.service';

@ApiExcludeController()
@PublicRoute()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    // prom-client's (process, HTTP, the service's own) and then OpenTelemetry's (jobs, outbox, consumer lag, RPO, …: ARCA_METRICS).
    return `${await this.metrics.registry.metrics()}\n${await openTelemetryPrometheusText()}`;
  }
}
