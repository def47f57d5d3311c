import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

/** `/health` and `/metrics` for every service, plus the registry other modules add their dependencies to. */
@Global()
@Module({})
export class ServiceKitModule implements NestModule {
  static forRoot(options: { serviceName: string }): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: options.serviceName },
        { provide: MetricsService, useFactory: () => new MetricsService(options.serviceName) },
        HealthRegistry,
      ],
      exports: [SERVICE_NAME, MetricsService, HealthRegistry],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
