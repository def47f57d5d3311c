import { Controller, Get, Header, Logger } from '@nestjs/common';
import { openTelemetryPrometheusText } from '@arca/telemetry';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../http/public-route';
import { MetricsService } from './metrics.service';

@ApiExcludeController()
@PublicRoute()
@Controller('metrics')
export class MetricsController {
  private readonly logger = new Logger('Metrics');
  private lastWarning = { message: '', at: 0 };

  constructor(private readonly metrics: MetricsService) {}

  /** A failing gauge fails at every scrape: say so once a minute, not every 15 s. */
  private warn(error: unknown): void {
    const message = `a gauge is left out of /metrics: ${error instanceof Error ? error.message : String(error)}`;
    if (message === this.lastWarning.message && Date.now() - this.lastWarning.at < 60_000) return;
    this.lastWarning = { message, at: Date.now() };
    this.logger.warn(message);
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    // prom-client's (process, HTTP, the service's own) and then OpenTelemetry's (jobs, outbox, consumer lag, RPO, …: ARCA_METRICS).
    return `${await this.metrics.registry.metrics()}\n${await openTelemetryPrometheusText((error) => this.warn(error))}`;
  }
}
