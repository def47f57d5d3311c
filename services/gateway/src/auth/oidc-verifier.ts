import { createPublicKey, JsonWebKey, KeyObject, verify } from 'node:crypto';
import { isTenantId } from '@arca/contracts';
import { isRole, Role } from './roles';
import type { Principal } from './principal';

export interface OidcConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** The claim holding the role (a string or a list of strings). */
  roleClaim: string;
  tenantClaim: string;
  /** The tenant of a token without the tenant claim; none: such a token is refused. */
  defaultTenant?: string;
  /** Leeway for exp and nbf, for clocks that disagree a little. */
  clockToleranceSeconds?: number;
}

/** Why a token was refused, in words for the audit log (never the token itself). */
export class TokenRejected extends Error {}

/** How long fetched keys are trusted before the JWKS is read again. */
const JWKS_TTL_MS = 10 * 60_000;
/** A token with an unknown kid re-reads the JWKS (keys rotate), but at most this often. */
const JWKS_REFETCH_MIN_MS = 30_000;

interface Jwk extends JsonWebKey { kid?: string; kty?: string; alg?: string; use?: string }

const ALGORITHMS: Record<string, { kty: string; hash: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  // JWS carries an ECDSA signature as r || s, not DER.
  ES256: { kty: 'EC', hash: 'sha256', dsaEncoding: 'ieee-p1363' },
};

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new TokenRejected(`the token's ${what} is not a JSON object`);
}

/**
 * Verifies bearer JWTs from one OIDC issuer: an RS256 or ES256 signature by a key of the issuer's
 * JWKS (cached), then iss, aud, exp and nbf; the role and tenant come from configured claims.
 */
export class OidcVerifier {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private fetching: Promise<void> | undefined;

  constructor(private readonly config: OidcConfig, private readonly now: () => number = Date.now) {}

  async verify(token: string): Promise<Principal> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenRejected('not a JWT (expected three dot-separated parts)');
    const [headerPart, payloadPart, signaturePart] = parts;
    const header = decodeSegment(headerPart, 'header');
    const algorithm = ALGORITHMS[String(header.alg)];
    if (!algorithm) throw new TokenRejected(`algorithm ${String(header.alg)} is not accepted (RS256 or ES256)`);
    const key = await this.key(typeof header.kid === 'string' ? header.kid : undefined, algorithm.kty);
    const signed = verify(algorithm.hash, Buffer.from(`${headerPart}.${payloadPart}`), { key, dsaEncoding: algorithm.dsaEncoding }, Buffer.from(signaturePart, 'base64url'));
    if (!signed) throw new TokenRejected('bad signature');
    return this.principal(decodeSegment(payloadPart, 'payload'));
  }

  private principal(claims: Record<string, unknown>): Principal {
    const nowSeconds = this.now() / 1000;
    const tolerance = this.config.clockToleranceSeconds ?? 30;
    if (claims.iss !== this.config.issuer) throw new TokenRejected(`issuer ${JSON.stringify(claims.iss)} is not ${this.config.issuer}`);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.config.audience)) throw new TokenRejected(`audience ${JSON.stringify(claims.aud)} does not include ${this.config.audience}`);
    if (typeof claims.exp !== 'number') throw new TokenRejected('no exp claim');
    if (claims.exp + tolerance <= nowSeconds) throw new TokenRejected('expired');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf - tolerance > nowSeconds)) throw new TokenRejected('not valid yet (nbf)');
    if (typeof claims.sub !== 'string' || !claims.sub) throw new TokenRejected('no sub claim');
    const claimed = claims[this.config.roleClaim];
    const roles = (Array.isArray(claimed) ? claimed : [claimed]).filter(isRole) as Role[];
    if (roles.length === 0) throw new TokenRejected(`no Arca role in claim ${this.config.roleClaim}`);
    const claimedTenant = claims[this.config.tenantClaim];
    const tenant = claimedTenant === undefined ? this.config.defaultTenant : claimedTenant;
    if (tenant === undefined) throw new TokenRejected(`no tenant claim ${this.config.tenantClaim} (and no OIDC_DEFAULT_TENANT)`);
    if (!isTenantId(tenant)) throw new TokenRejected(`claim ${this.config.tenantClaim} is not a tenant id (a lower-case slug)`);
    return { type: 'oidc', id: claims.sub, name: claims.sub, roles, tenant };
  }

  private async key(kid: string | undefined, kty: string): Promise<KeyObject> {
    const stale = this.now() - this.fetchedAt > JWKS_TTL_MS;
    const unknown = !this.find(kid, kty);
    // Unknown kids must not make every request hit the issuer (nor an unreachable one).
    if ((stale || unknown) && this.now() - this.attemptedAt > JWKS_REFETCH_MIN_MS) await this.refresh();
    const key = this.find(kid, kty);
    if (!key) throw new TokenRejected(`no ${kty} key ${kid ?? '(no kid)'} in the issuer's JWKS`);
    return key;
  }

  private find(kid: string | undefined, kty: string): KeyObject | undefined {
    if (kid) return this.keys.get(kid);
    // A token without kid: acceptable only when the JWKS has one key of its type.
    const candidates = [...this.keys.values()].filter((k) => (k.asymmetricKeyType === 'rsa' ? 'RSA' : 'EC') === kty);
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private refresh(): Promise<void> {
    // Concurrent requests share one fetch.
    this.fetching ??= this.fetchKeys().finally(() => { this.fetching = undefined; });
    return this.fetching;
  }

  private async fetchKeys(): Promise<void> {
    this.attemptedAt = this.now();
    let body: { keys?: Jwk[] };
    try {
      const response = await fetch(this.config.jwksUrl, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as { keys?: Jwk[] };
    } catch (error) {
      // Keep the keys we had: an issuer briefly down should not log everyone out.
      throw new TokenRejected(`the issuer's JWKS at ${this.config.jwksUrl} could not be read (${(error as Error).message})`);
    }
    const keys = new Map<string, KeyObject>();
    (body.keys ?? []).forEach((jwk, index) => {
      if (jwk.use && jwk.use !== 'sig') return;
      if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') return;
      try {
        keys.set(jwk.kid ?? `#${index}`, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // a key this runtime cannot read: other keys still serve
      }
    });
    this.keys = keys;
    this.fetchedAt = this.now();
  }
}
