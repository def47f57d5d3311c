import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { GatewayEnv } from '../config';
import { ApiKeysService } from './api-keys.service';
import { OidcVerifier, TokenRejected } from './oidc-verifier';
import type { Principal } from './principal';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export type Authentication =
  | { principal: Principal }
  /** `credential`: which credential failed, for counting failures per key without keeping the secret. */
  | { failure: string; credential?: string };

/** Turns a request's credentials (an API key, or an OIDC bearer token) into a principal. */
@Injectable()
export class Authenticator {
  private readonly oidc: OidcVerifier | undefined;

  constructor(private readonly keys: ApiKeysService, @Inject(GATEWAY_CONFIG) config: GatewayEnv) {
    this.oidc = config.OIDC_ISSUER
      ? new OidcVerifier({ issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE!, jwksUrl: config.OIDC_JWKS_URL!, roleClaim: config.OIDC_ROLE_CLAIM, tenantClaim: config.OIDC_TENANT_CLAIM, defaultTenant: config.OIDC_DEFAULT_TENANT })
      : undefined;
  }

  async authenticate(request: Request): Promise<Authentication> {
    const header = request.header('authorization')?.trim();
    const bearer = header && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '') : undefined;
    if (header && !bearer) return { failure: 'the Authorization header is not "Bearer <key or token>"' };
    const apiKey = bearer?.startsWith('arca_') ? bearer : request.header('x-api-key')?.trim();
    if (apiKey) {
      const principal = await this.keys.authenticate(apiKey);
      // A key's first characters name it in the audit log and the failure count; they are not enough to use it.
      return principal ? { principal } : { failure: 'unknown, malformed or revoked API key', credential: `key:${apiKey.slice(0, 12)}` };
    }
    if (bearer) {
      if (!this.oidc) return { failure: 'bearer tokens are not accepted: no OIDC issuer is configured (use an API key)' };
      try {
        return { principal: await this.oidc.verify(bearer) };
      } catch (error) {
        if (error instanceof TokenRejected) return { failure: `token refused: ${error.message}` };
        throw error;
      }
    }
    return { failure: 'no credentials (send Authorization: Bearer <API key or token>, or x-api-key)' };
  }
}
