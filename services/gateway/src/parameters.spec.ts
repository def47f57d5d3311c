import http from 'node:http';
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
    expect(await get('/jobs?kind=foo')).toMatchObject({ status: 400, body: { message: ['kind must be one of backup, restore, check, prune, recover, verify'] } });
    expect(await get('/jobs/not-a-uuid')).toMatchObject({ status: 400, body: { message: 'job id must be a UUID' } });
    expect(await get('/policies/abc')).toMatchObject({ status: 400, body: { message: 'policy id must be a UUID' } });
    expect(await get('/snapshots?policyId=abc')).toMatchObject({ status: 400, body: { message: ['policyId must be a UUID'] } }); // was a 500 from Postgres
  });

  it('refuses a snapshot id that is not 4-64 hex digits before forwarding it, ".." included (found by e2e/src/fuzz-rest.spec.ts)', async () => {
    // node:http, not fetch: fetch resolves ".." before sending, as it did on the way to ingest
    const raw = (path: string) => new Promise<{ status: number; body: { message?: string } }>((resolve, reject) => {
      http.get(gateway.base, { path }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { message?: string } }));
      }).on('error', reject);
    });
    forwarded.length = 0;
    for (const path of ['/snapshots/..', '/snapshots/../tree', '/snapshots/./file?path=/a', '/snapshots/abc', '/snapshots/ABCD', `/snapshots/${'a'.repeat(65)}`]) {
      expect(await raw(path), path).toEqual({ status: 400, body: expect.objectContaining({ message: 'snapshot id must be 4 to 64 hex digits (an id or a unique prefix of one)' }) });
    }
    expect(forwarded).toEqual([]);
    expect((await get('/snapshots/abcd/tree')).status).toBe(200);
  });

  it('passes good values on to reporting', async () => {
    forwarded.length = 0;
    expect((await get('/jobs?limit=20&kind=restore')).status).toBe(200);
    expect((await get('/jobs')).status).toBe(200);
    expect(forwarded).toEqual([{ path: '/jobs', query: { limit: '20', kind: 'restore' } }, { path: '/jobs', query: { limit: undefined, kind: undefined } }]);
  });
});
