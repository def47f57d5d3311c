import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { arcaCounter } from '@arca/telemetry';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { HealthRegistry } from './health/health-registry';
import { ServiceKitModule } from './service-kit.module';

let brokerUp = true;

@Injectable()
class FakeDependencies implements OnModuleInit {
  constructor(private readonly registry: HealthRegistry) {}
  onModuleInit() {
    this.registry.register({ name: 'database', check: async () => ({ schema: 'arca_example' }) });
    this.registry.register({ name: 'broker', check: async () => { if (!brokerUp) throw new Error('connection refused'); } });
  }
}

@Module({ imports: [ServiceKitModule.forRoot({ serviceName: 'example' })], providers: [FakeDependencies] })
class ExampleModule {}

describe('ServiceKitModule', () => {
  it('reports each registered dependency on /health and serves Prometheus metrics', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ExampleModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const up = await request(app.getHttpServer()).get('/health');
      expect(up.status).toBe(200);
      expect(up.body.details.database).toEqual({ status: 'up', schema: 'arca_example' });
      expect(up.body.details.broker.status).toBe('up');

      brokerUp = false;
      const down = await request(app.getHttpServer()).get('/health');
      expect(down.status).toBe(503);
      expect(down.body.details.broker).toEqual({ status: 'down', message: 'connection refused' });

      const metrics = await request(app.getHttpServer()).get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('arca_http_request_duration_seconds');
      expect(metrics.text).toContain('service="example"');
      // The OpenTelemetry metrics follow prom-client's on the same page.
      arcaCounter('jobs').add(1, { kind: 'backup', outcome: 'failed', tenant: 'default' });
      const after = await request(app.getHttpServer()).get('/metrics');
      expect(after.text).toMatch(/^# TYPE arca_jobs_total counter$/m);
      expect(after.text).toMatch(/^arca_jobs_total\{kind="backup",outcome="failed",tenant="default"\} [1-9]/m);
    } finally {
      await app.close();
    }
  });
});
