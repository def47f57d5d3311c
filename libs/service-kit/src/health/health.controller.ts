import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck as TerminusHealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { PublicRoute } from '../http/public-route';
import { HealthRegistry, withTimeout } from './health-registry';

const CHECK_TIMEOUT_MS = 3000;

@ApiTags('operations')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  @Get()
  @TerminusHealthCheck()
  @ApiOperation({ summary: 'Readiness of this service and each dependency it uses (200 up, 503 down)' })
  check() {
    return this.health.check(
      this.registry.list().map((dependency) => async () => {
        const indicator = this.indicators.check(dependency.name);
        try {
          const details = await withTimeout(dependency.check(), CHECK_TIMEOUT_MS, dependency.name);
          return indicator.up(details ?? {});
        } catch (error) {
          return indicator.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}
