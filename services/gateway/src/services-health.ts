import { BROKER_HEALTH } from '@arca/messaging';
import { HealthCheck, HealthRegistry, SERVICES, serviceUrl } from '@arca/service-kit';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';

/**
 * The gateway's /health speaks for the whole platform: one check per service, each reading that
 * service's own /health (which covers its database, the broker and S3 where it uses them).
 */
@Injectable()
export class ServicesHealth implements OnModuleInit {
  constructor(private readonly registry: HealthRegistry, @Inject(BROKER_HEALTH) private readonly broker: HealthCheck) {}

  onModuleInit(): void {
    // The gateway itself depends only on the broker (it publishes commands and audit records).
    this.registry.register({ name: 'gateway', check: () => this.broker.check() });
    for (const service of SERVICES) {
      if (service.name === 'gateway') continue;
      this.registry.register({
        name: service.name,
        check: async () => {
          const response = await fetch(`${serviceUrl(service.name)}/health`);
          const body = (await response.json().catch(() => ({}))) as { details?: Record<string, { status: string; message?: string }> };
          if (!response.ok) {
            const down = Object.entries(body.details ?? {}).filter(([, d]) => d.status !== 'up').map(([name, d]) => `${name}: ${d.message ?? 'down'}`);
            throw new Error(down.length > 0 ? down.join('; ') : `HTTP ${response.status}`);
          }
          return { dependencies: Object.keys(body.details ?? {}) };
        },
      });
    }
  }
}
