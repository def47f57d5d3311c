import { MetricsService, PublicRoute } from '@arca/service-kit';
import { Controller, Get } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { GatewayEvents } from '../gateway-events';
import { useGatewayApp } from '../testing/use-gateway-app';
import { AccessGuard } from './access.guard';
import { Authenticator, GATEWAY_CONFIG } from './authenticator';
import { Caller } from './caller';
import { guardApiDocs } from './docs-access';
import { trustProxy } from './trust-proxy';
import { Principal } from './principal';
import { InstallationRoute, Roles } from './roles';

@Controller()
class ExampleController {
  @Get('ops') @Roles('operator') ops() { return { ok: true }; }
  @Get('open') @PublicRoute() open() { return { ok: true }; }
  @Get('forgotten') forgotten() { return { ok: true }; }
  @Get('repository') @Roles('operator') @InstallationRoute() repository() { return { ok: true }; }
}

/** Keys by header value: "admin", "operator", "auditor", "auditor-2"; anything else fails. */
const principals: Record<string, Principal> = {
  ...Object.fromEntries(['admin', 'operator', 'auditor', 'auditor-2'].map((name) => [name, { type: 'api-key', id: `id-${name}`, name, roles: [name.replace(/-\d$/, '') as Principal['roles'][number]], tenant: 'default' }])),
  'acme-admin': { type: 'api-key', id: 'id-acme-admin', name: 'acme-admin', roles: ['admin'], tenant: 'acme' },
};
const metrics = new MetricsService('gateway-test');
const audited: Array<{ caller: Caller; action: string; details: Record<string, unknown> }> = [];

describe('AccessGuard: one place that admits, refuses, audits and rate-limits', () => {
  const gateway = useGatewayApp({
    controllers: [ExampleController],
    providers: [
      AccessGuard, { provide: APP_GUARD, useExisting: AccessGuard }, { provide: MetricsService, useValue: metrics },
      { provide: GATEWAY_CONFIG, useValue: { ARCA_AUTH_FAILURE_LIMIT: '3', ARCA_AUTH_FAILURE_WINDOW_S: '60' } },
      { provide: Authenticator, useValue: { authenticate: async (req: http.IncomingMessage) => {
        const principal = principals[String(req.headers['x-api-key'])];
        return principal ? { principal } : { failure: 'unknown, malformed or revoked API key', credential: `key:${String(req.headers['x-api-key']).slice(0, 12)}` };
      } } },
      { provide: GatewayEvents, useValue: { audit: async (caller: Caller, action: string, _target: string, details: Record<string, unknown>) => { audited.push({ caller, action, details }); } } },
    ],
  }, { configure: (app) => {
    trustProxy(app, 'loopback'); // as behind a proxy on this host
    delete process.env.ARCA_PUBLIC_DOCS;
    guardApiDocs(app);
    app.use('/api/openapi.json', (_req: http.IncomingMessage, res: http.ServerResponse) => res.end('{}'));
  } });

  /** A GET from a chosen loopback address (Linux answers all of 127/8), to count per address. */
  function get(path: string, key?: string, from = '127.0.0.1', headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(`${gateway.base}${path}`, { localAddress: from, headers: { ...(key ? { 'x-api-key': key } : {}), ...headers } }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      request.on('error', reject).end();
    });
  }

  it('admits a role the route names, and admin everywhere; public routes need nothing', async () => {
    expect((await get('/ops', 'operator', '127.0.1.1')).status).toBe(200);
    expect((await get('/ops', 'admin', '127.0.1.1')).status).toBe(200);
    const open = await get('/open', undefined, '127.0.1.1');
    expect(open.status).toBe(200);
    expect(open.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("admits only the default tenant's callers to a repository-wide route, auditing another tenant's refusal", async () => {
    audited.length = 0;
    expect((await get('/repository', 'operator', '127.0.9.1')).status).toBe(200);
    const refused = await get('/repository', 'acme-admin', '127.0.9.1');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).message).toBe('GET /repository acts on the whole repository: only the default tenant may call it');
    expect((await get('/ops', 'acme-admin', '127.0.9.1')).status).toBe(200); // an ordinary route admits its role in any tenant
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(audited).toEqual([{ caller: expect.objectContaining({ actor: 'key:acme-admin', tenant: 'acme' }), action: 'auth.refused', details: expect.objectContaining({ path: '/repository' }) }]);
  });

  it('answers 401 without credentials and 403 to a role the route does not name, auditing both', async () => {
    audited.length = 0;
    const none = await get('/ops', undefined, '127.0.2.1');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="arca"');
    const refused = await get('/ops', 'auditor', '127.0.2.1');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).message).toBe('role auditor may not GET /ops (allowed: admin, operator)');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(audited).toEqual([
      { caller: expect.objectContaining({ actor: 'anonymous' }), action: 'auth.failed', details: expect.objectContaining({ reason: 'unknown, malformed or revoked API key', address: '127.0.2.1', path: '/ops' }) },
      { caller: expect.objectContaining({ actor: 'key:auditor', principal: expect.objectContaining({ id: 'id-auditor' }) }), action: 'auth.refused', details: expect.objectContaining({ address: '127.0.2.1' }) },
    ]);
  });

  it('refuses a route without @Roles or @PublicRoute to everyone, admin included', async () => {
    expect((await get('/forgotten', 'admin', '127.0.3.1')).status).toBe(403);
  });

  it('answers 429 with Retry-After to an address after its failures, even with a good key, auditing the limit once', async () => {
    audited.length = 0;
    for (let i = 0; i < 3; i++) expect((await get('/ops', 'wrong', '127.0.4.1')).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The third failure puts both the address and the presented key over the limit.
    expect(audited.map((a) => a.action)).toEqual(['auth.failed', 'auth.failed', 'auth.failed', 'auth.rate_limited', 'auth.rate_limited']);
    expect(audited.slice(3).map((a) => a.details)).toEqual([
      expect.objectContaining({ subject: 'address:127.0.4.1', windowSeconds: 60 }), expect.objectContaining({ subject: 'key:wrong' }),
    ]);
    audited.length = 0;
    const limited = await get('/ops', 'operator', '127.0.4.1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(55);
    expect(audited).toEqual([]);
    expect((await get('/ops', 'operator', '127.0.4.2')).status).toBe(200); // another address is not limited
    expect(await metrics.registry.getSingleMetricAsString('arca_gateway_access_denied_total')).toMatch(/status="429",service="gateway-test"\} 1/);
  });

  it('counts the client a trusted proxy names, not the proxy', async () => {
    audited.length = 0;
    expect((await get('/ops', 'wrong', '127.0.7.1', { 'x-forwarded-for': '203.0.113.9' })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(audited[0].details).toMatchObject({ address: '203.0.113.9' });
  });

  it('limits a key refused from several addresses, and not another key from the same address', async () => {
    for (const from of ['127.0.5.1', '127.0.5.2', '127.0.5.3']) expect((await get('/ops', 'auditor-2', from)).status).toBe(403);
    const limited = await get('/ops', 'auditor-2', '127.0.5.4');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await get('/ops', 'operator', '127.0.5.4')).status).toBe(200);
  });

  it('guards the API docs (served outside Nest routes) unless ARCA_PUBLIC_DOCS=true', async () => {
    expect((await get('/api/openapi.json', undefined, '127.0.6.1')).status).toBe(401);
    expect((await get('/api/openapi.json', 'auditor', '127.0.6.1')).status).toBe(200);
  });

  it('leaves the API docs open with ARCA_PUBLIC_DOCS=true', () => {
    const used: unknown[] = [];
    process.env.ARCA_PUBLIC_DOCS = 'true';
    try {
      guardApiDocs({ use: (...args: unknown[]) => used.push(args), get: () => { throw new Error('not needed'); } } as never);
    } finally {
      delete process.env.ARCA_PUBLIC_DOCS;
    }
    expect(used).toEqual([]);
  });
});
