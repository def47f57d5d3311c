import { describe, expect, it } from 'vitest';
import { GatewayEvents } from './gateway-events';
import { JobsController } from './jobs.controller';
import { PoliciesController } from './policies.controller';
import { ServiceClient } from './service-client';
import { SnapshotsController } from './snapshots.controller';
import { useGatewayApp } from './testing/use-gateway-app';

describe('query and path parameters at the gateway', () => {
  const forwarded: unknown[] = [];
  const services = { get: async (_service: string, path: string, _tenant: string, query?: unknown) => { forwarded.push({ path, query }); return []; } };
  const gateway = useGatewayApp({
    controllers: [JobsController, PoliciesController, SnapshotsController],
    providers: [{ provide: ServiceClient, useValue: services }, { provide: GatewayEvents, useValue: {} }],
  });

  const get = async (path: string) => {
    const response = await fetch(gateway.base + path);
    return { status: response.status, body: (await response.json()) as { message?: string | string[] } };
  };

  it('answers 400 naming the field for a bad limit or kind, instead of ignoring it', async () => {
    expect(await get('/jobs?limit=abc')).toMatchObject({ status: 400, body: { message: ['limit must be a whole number from 1 to 1000'] } });
    expect(await get('/jobs?limit=-5')).toMatchObject({ status: 400, body: { message: ['limit must be a whole number from 1 to 1000'] } });
    expect(await get('/jobs?limit=1001')).toMatchObject({ status: 400, body: { message: ['limit must be a whole number from 1 to 1000'] } });
    expect(await get('/jobs?kind=foo')).toMatchObject({ status: 400, body: { message: ['kind must be one of backup, restore, check, prune'] } });
    expect(await get('/jobs/not-a-uuid')).toMatchObject({ status: 400, body: { message: 'job id must be a UUID' } });
    expect(await get('/policies/abc')).toMatchObject({ status: 400, body: { message: 'policy id must be a UUID' } });
    expect(await get('/snapshots?policyId=abc')).toMatchObject({ status: 400, body: { message: ['policyId must be a UUID'] } }); // was a 500 from Postgres
  });

  it('passes good values on to reporting', async () => {
    forwarded.length = 0;
    expect((await get('/jobs?limit=20&kind=restore')).status).toBe(200);
    expect((await get('/jobs')).status).toBe(200);
    expect(forwarded).toEqual([{ path: '/jobs', query: { limit: '20', kind: 'restore' } }, { path: '/jobs', query: { limit: undefined, kind: undefined } }]);
  });
});
