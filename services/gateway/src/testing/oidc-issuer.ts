import { createHash, generateKeyPairSync, JsonWebKey, KeyObject, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestIssuer {
  issuer: string;
  jwksUrl: string;
  /** How many times the JWKS was fetched (to see the cache work). */
  readonly jwksFetches: number;
  /** A signed token; `claims` override the defaults (iss, sub, exp in an hour, …). */
  token(claims?: Record<string, unknown>, options?: { alg?: 'RS256' | 'ES256'; kid?: string; key?: KeyObject }): string;
  /** The console's client id this issuer knows (authorization code flow with PKCE, for any loopback redirect URI). */
  clientId: string;
  /** Replaces the published keys by new ones (a key rotation at the issuer). */
  rotate(): void;
  close(): Promise<void>;
}

function keyPairs() {
  return { RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }), ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A login page: the subject and role to sign in as (a test issuer asks no password). */
function loginPage(query: URLSearchParams): string {
  const hidden = [...query].map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test issuer sign-in</title></head><body>
<h1>Test issuer</h1><form method="post" action="approve">${hidden}
<label>Subject <input name="sub" value="alice@example.com"></label>
<label>Role <select name="arca_role"><option>operator</option><option>auditor</option><option>admin</option></select></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return new URLSearchParams(text);
}

/**
 * An OIDC issuer for tests: RS256 and ES256 keys, a JWKS served on loopback, and tokens signed
 * with them; a discovery document, and an authorization code flow with PKCE (S256) for a public
 * client (`clientId`) whose login page asks for a subject and a role. No network beyond 127.0.0.1.
 */
export async function startTestIssuer(audience: string): Promise<TestIssuer> {
  let generation = 1;
  let keys = keyPairs();
  let fetches = 0;
  const clientId = 'arca-console';
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string; claims: Record<string, unknown> }>();
  const kid = (alg: string) => `${alg.toLowerCase()}-${generation}`;
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(JSON.stringify(body));
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const route = url.pathname.replace(/^\/realms\/arca/, '');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type' }).end();
      } else if (route === '/.well-known/openid-configuration') {
        json(res, 200, { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'] });
      } else if (route === '/authorize' && req.method === 'GET') {
        const q = url.searchParams;
        const redirect = q.get('redirect_uri') ?? '';
        if (q.get('client_id') !== clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(redirect)) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('bad authorization request');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(q));
      } else if (route === '/approve' && req.method === 'POST') {
        const form = await formBody(req);
        const code = randomBytes(16).toString('base64url');
        codes.set(code, {
          clientId: form.get('client_id')!, redirectUri: form.get('redirect_uri')!, challenge: form.get('code_challenge')!,
          claims: { sub: form.get('sub'), arca_role: form.get('arca_role'), arca_tenant: 'default', ...(form.get('nonce') ? { nonce: form.get('nonce') } : {}) },
        });
        const back = new URL(form.get('redirect_uri')!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', form.get('state') ?? '');
        res.writeHead(302, { location: back.toString() }).end();
      } else if (route === '/token' && req.method === 'POST') {
        const form = await formBody(req);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!grant || form.get('grant_type') !== 'authorization_code' || form.get('client_id') !== grant.clientId || form.get('redirect_uri') !== grant.redirectUri
          || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          json(res, 400, { error: 'invalid_grant' });
          return;
        }
        json(res, 200, { token_type: 'Bearer', expires_in: 3600, access_token: token(grant.claims), id_token: token({ ...grant.claims, aud: clientId }) });
      } else {
        fetches += 1;
        const jwks = Object.entries(keys).map(([alg, pair]) => ({ ...(pair.publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: kid(alg), alg, use: 'sig' }));
        json(res, 200, { keys: jwks });
      }
    })().catch((error: Error) => res.writeHead(500).end(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/realms/arca`;
  function token(claims: Record<string, unknown> = {}, options: { alg?: 'RS256' | 'ES256'; kid?: string; key?: KeyObject } = {}): string {
    const alg = options.alg ?? 'RS256';
    const now = Math.floor(Date.now() / 1000);
    const header = { alg, typ: 'JWT', kid: options.kid ?? kid(alg) };
    const payload = { iss: issuer, aud: audience, sub: 'alice@example.com', iat: now, nbf: now, exp: now + 3600, arca_role: 'operator', arca_tenant: 'default', ...claims };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const key = options.key ?? keys[alg].privateKey;
    const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
    return `${input}.${signature.toString('base64url')}`;
  }
  return {
    issuer,
    clientId,
    jwksUrl: `${base}/realms/arca/jwks`,
    get jwksFetches() { return fetches; },
    token,
    rotate() {
      generation += 1;
      keys = keyPairs();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
