import { PublicRoute } from '@arca/service-kit';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { GatewayEnv } from '../config';
import { GATEWAY_CONFIG } from './authenticator';

/** How the console signs in through the OIDC issuer: its endpoints, from the issuer's discovery document. */
export interface OidcSignIn {
  issuer: string;
  clientId: string;
  scope: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  /** Why the endpoints are not known (the discovery document could not be read). */
  problem?: string;
}

const DISCOVERY_TTL_MS = 10 * 60_000;

/**
 * Public: the console asks before anyone has signed in. It says only what the issuer publishes
 * anyway (its endpoints) and the console's client id, which is not a secret (a public client
 * with PKCE has none).
 */
@ApiTags('keys')
@PublicRoute()
@Controller('auth')
export class SignInController {
  private cached: { at: number; value: OidcSignIn } | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayEnv) {}

  @Get('console')
  @ApiOperation({ summary: 'How the console may sign in: API keys always; the OIDC issuer\'s endpoints and client id when OIDC_ISSUER and OIDC_CLIENT_ID are set' })
  async console(): Promise<{ apiKeys: true; oidc: OidcSignIn | null }> {
    return { apiKeys: true, oidc: await this.oidc() };
  }

  private async oidc(): Promise<OidcSignIn | null> {
    const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_SCOPE: scope } = this.config;
    if (!issuer || !clientId) return null;
    if (this.cached && Date.now() - this.cached.at < DISCOVERY_TTL_MS) return this.cached.value;
    const base: OidcSignIn = { issuer, clientId, scope };
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const document = (await response.json()) as { authorization_endpoint?: unknown; token_endpoint?: unknown };
      if (typeof document.authorization_endpoint !== 'string' || typeof document.token_endpoint !== 'string') throw new Error('it names no authorization_endpoint or token_endpoint');
      const value = { ...base, authorizationEndpoint: document.authorization_endpoint, tokenEndpoint: document.token_endpoint };
      this.cached = { at: Date.now(), value };
      return value;
    } catch (error) {
      // Not cached: the next visit to the sign-in page tries again.
      return { ...base, problem: `the issuer's discovery document at ${url} could not be read (${(error as Error).message})` };
    }
  }
}
