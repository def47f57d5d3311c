import { loadConfig } from '@arca/service-kit';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInController } from './auth/sign-in.controller';
import { GatewayEnv } from './config';
import { GatewayEvents } from './gateway-events';
import { OperationsController } from './operations.controller';
import { ServiceClient } from './service-client';
import { startTestIssuer, TestIssuer } from './testing/oidc-issuer';
import { useGatewayApp } from './testing/use-gateway-app';

/** The routes the console needs beside the rest: its charts' history, and how it may sign in. */
describe('GET /reports/history at the gateway', () => {
  const forwarded: unknown[] = [];
  const services = { get: async (_service: string, path: string, _tenant: string, query?: unknown) => { forwarded.push({ path, query }); return {}; } };
  const gateway = useGatewayApp({
    controllers: [OperationsController],
    providers: [{ provide: ServiceClient, useValue: services }, { provide: GatewayEvents, useValue: {} }],
  });
  const get = async (path: string) => {
    const response = await fetch(gateway.base + path);
    return { status: response.status, body: (await response.json()) as { message?: string | string[] } };
  };

  it('answers 400 naming days for a period that is not 1 to 366 days, and forwards a good one to reporting', async () => {
    for (const days of ['0', '367', 'abc', '-1', '1.5']) {
      expect(await get(`/reports/history?days=${days}`), days).toMatchObject({ status: 400, body: { message: ['days must be a whole number from 1 to 366'] } });
    }
    forwarded.length = 0;
    for (const days of ['1', '30', '366']) expect((await get(`/reports/history?days=${days}`)).status).toBe(200);
    expect((await get('/reports/history')).status).toBe(200);
    expect(forwarded).toEqual([
      ...['1', '30', '366'].map((days) => ({ path: '/reports/history', query: { days } })),
      { path: '/reports/history', query: { days: undefined } },
    ]);
  });
});

describe('GET /auth/console', () => {
  let issuer: TestIssuer;
  let broken: http.Server;
  let brokenUrl = '';
  beforeAll(async () => {
    issuer = await startTestIssuer('arca');
    broken = http.createServer((_, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await issuer?.close();
    broken?.close();
  });
  const signIn = (env: Record<string, string>) => new SignInController(loadConfig(GatewayEnv, env)).console();

  it('offers API keys only without an issuer or without a client id', async () => {
    expect(await signIn({})).toEqual({ apiKeys: true, oidc: null });
    expect(await signIn({ OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: 'arca', OIDC_JWKS_URL: issuer.jwksUrl })).toEqual({ apiKeys: true, oidc: null });
  });

  it("names the issuer's endpoints from its discovery document, or why they are not known", async () => {
    expect(await signIn({ OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: 'arca', OIDC_JWKS_URL: issuer.jwksUrl, OIDC_CLIENT_ID: 'arca-console', OIDC_SCOPE: 'openid profile' })).toEqual({
      apiKeys: true,
      oidc: { issuer: issuer.issuer, clientId: 'arca-console', scope: 'openid profile', authorizationEndpoint: `${issuer.issuer}/authorize`, tokenEndpoint: `${issuer.issuer}/token` },
    });
    const answer = await signIn({ OIDC_ISSUER: brokenUrl, OIDC_AUDIENCE: 'arca', OIDC_JWKS_URL: `${brokenUrl}/jwks`, OIDC_CLIENT_ID: 'arca-console' });
    expect(answer.oidc).toEqual({ issuer: brokenUrl, clientId: 'arca-console', scope: 'openid', problem: `the issuer's discovery document at ${brokenUrl}/.well-known/openid-configuration could not be read (HTTP 404)` });
  });

  it('refuses a client id with spaces, naming the variable', () => {
    expect(() => loadConfig(GatewayEnv, { OIDC_CLIENT_ID: 'arca console' })).toThrow(/OIDC_CLIENT_ID must be 1-200 printable characters without spaces/);
  });
});
