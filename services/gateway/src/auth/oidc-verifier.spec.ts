import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer, TestIssuer } from '../testing/oidc-issuer';
import { OidcVerifier } from './oidc-verifier';

describe('OidcVerifier against a JWKS served on loopback', () => {
  let issuer: TestIssuer;
  let verifier: OidcVerifier;
  let now = Date.now();
  beforeAll(async () => {
    issuer = await startTestIssuer('arca-api');
    verifier = new OidcVerifier({ issuer: issuer.issuer, audience: 'arca-api', jwksUrl: issuer.jwksUrl, roleClaim: 'arca_role', tenantClaim: 'arca_tenant' }, () => now);
  });
  afterAll(() => issuer.close());
  const seconds = () => Math.floor(now / 1000);

  it('accepts RS256 and ES256 tokens, taking role(s) and tenant from the configured claims', async () => {
    expect(await verifier.verify(issuer.token({ arca_tenant: 'acme' }))).toEqual({ type: 'oidc', id: 'alice@example.com', name: 'alice@example.com', roles: ['operator'], tenant: 'acme' });
    expect((await verifier.verify(issuer.token({ arca_role: ['auditor', 'not-a-role'] }, { alg: 'ES256' }))).roles).toEqual(['auditor']);
  });

  it('refuses a token without the tenant claim unless a default tenant is configured, and a tenant that is not a slug', async () => {
    await expect(verifier.verify(issuer.token({ arca_tenant: undefined }))).rejects.toThrow(/no tenant claim arca_tenant \(and no OIDC_DEFAULT_TENANT\)/);
    await expect(verifier.verify(issuer.token({ arca_tenant: '../Acme' }))).rejects.toThrow(/claim arca_tenant is not a tenant id/);
    const withDefault = new OidcVerifier({ issuer: issuer.issuer, audience: 'arca-api', jwksUrl: issuer.jwksUrl, roleClaim: 'arca_role', tenantClaim: 'arca_tenant', defaultTenant: 'default' }, () => now);
    expect((await withDefault.verify(issuer.token({ arca_tenant: undefined }))).tenant).toBe('default');
    expect((await withDefault.verify(issuer.token({ arca_tenant: 'acme' }))).tenant).toBe('acme');
  });

  it.each([
    ['a wrong issuer', { iss: 'https://elsewhere.example.com' }, /issuer "https:\/\/elsewhere.example.com" is not/],
    ['a wrong audience', { aud: ['other-api'] }, /audience \["other-api"\] does not include arca-api/],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 120 }, /expired/],
    ['a token not valid yet', { nbf: Math.floor(Date.now() / 1000) + 600 }, /not valid yet/],
    ['no exp', { exp: undefined }, /no exp claim/],
    ['no Arca role', { arca_role: 'superuser' }, /no Arca role in claim arca_role/],
  ])('refuses %s', async (_what, claims, reason) => {
    await expect(verifier.verify(issuer.token(claims))).rejects.toThrow(reason);
  });

  it('refuses a forged signature, an unsigned token and an unknown algorithm', async () => {
    const forged = issuer.token({}, { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });
    await expect(verifier.verify(forged)).rejects.toThrow('bad signature');
    const [header, payload, signature] = issuer.token({ arca_role: 'operator' }).split('.');
    const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), arca_role: 'admin' })).toString('base64url');
    await expect(verifier.verify(`${header}.${elevated}.${signature}`)).rejects.toThrow('bad signature');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expect(verifier.verify(`${none}.${payload}.`)).rejects.toThrow('algorithm none is not accepted');
    const hs = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    await expect(verifier.verify(`${hs}.${payload}.${signature}`)).rejects.toThrow('algorithm HS256 is not accepted');
    await expect(verifier.verify('not-a-jwt')).rejects.toThrow('not a JWT');
  });

  it('caches the JWKS, and reads it again for a rotated key (at most every 30 s)', async () => {
    const before = issuer.jwksFetches;
    for (let i = 0; i < 5; i++) await verifier.verify(issuer.token({ exp: seconds() + 3600 }));
    expect(issuer.jwksFetches).toBe(before);
    issuer.rotate();
    await expect(verifier.verify(issuer.token({ exp: seconds() + 3600 }))).rejects.toThrow(/no RSA key rs256-2 in the issuer's JWKS/); // fetched < 30 s ago
    now += 31_000;
    expect((await verifier.verify(issuer.token({ exp: seconds() + 3600 }))).id).toBe('alice@example.com');
    expect(issuer.jwksFetches).toBe(before + 1);
  });
});
