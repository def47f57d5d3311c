import { generateKeyPairSync, JsonWebKey, KeyObject, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestIssuer {
  issuer: string;
  jwksUrl: string;
  /** How many times the JWKS was fetched (to see the cache work). */
  readonly jwksFetches: number;
  /** A signed token; `claims` override the defaults (iss, sub, exp in an hour, …). */
  token(claims?: Record<string, unknown>, options?: { alg?: 'RS256' | 'ES256'; kid?: string; key?: KeyObject }): string;
  /** Replaces the published keys by new ones (a key rotation at the issuer). */
  rotate(): void;
  close(): Promise<void>;
}

function keyPairs() {
  return { RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }), ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
}

/**
 * An OIDC issuer for tests: RS256 and ES256 keys, a JWKS served on loopback, and tokens signed
 * with them. No network beyond 127.0.0.1.
 */
export async function startTestIssuer(audience: string): Promise<TestIssuer> {
  let generation = 1;
  let keys = keyPairs();
  let fetches = 0;
  const kid = (alg: string) => `${alg.toLowerCase()}-${generation}`;
  const server = http.createServer((req, res) => {
    fetches += 1;
    const jwks = Object.entries(keys).map(([alg, pair]) => ({ ...(pair.publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: kid(alg), alg, use: 'sig' }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/realms/arca`;
  return {
    issuer,
    jwksUrl: `${base}/realms/arca/jwks`,
    get jwksFetches() { return fetches; },
    token(claims = {}, options = {}) {
      const alg = options.alg ?? 'RS256';
      const now = Math.floor(Date.now() / 1000);
      const header = { alg, typ: 'JWT', kid: options.kid ?? kid(alg) };
      const payload = { iss: issuer, aud: audience, sub: 'alice@example.com', iat: now, nbf: now, exp: now + 3600, arca_role: 'operator', ...claims };
      const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const key = options.key ?? keys[alg].privateKey;
      const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
      return `${input}.${signature.toString('base64url')}`;
    },
    rotate() {
      generation += 1;
      keys = keyPairs();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
