import { TENANT_ID } from '@arca/contracts';
import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsIn, IsOptional, IsPort, IsString, Matches, ValidateIf } from 'class-validator';

const withIssuer = (env: GatewayEnv) => Boolean(env.OIDC_ISSUER);

export class GatewayEnv extends CommonEnv {
  @IsPort({ message: portMessage('GATEWAY_PORT') })
  GATEWAY_PORT = '3000';

  /** Serve /api/docs and /api/openapi.json without credentials. */
  @IsIn(['true', 'false'], { message: 'ARCA_PUBLIC_DOCS must be "true" or "false"' })
  ARCA_PUBLIC_DOCS = 'false';

  /** Where the first admin key is written when the gateway finds no key at all (`npm start` sets it). */
  @IsOptional() @IsString()
  ARCA_ADMIN_KEY_FILE: string | undefined = undefined;

  /** Failed or refused calls a source address (or a key) may make in one window before it gets 429. */
  @Matches(/^[1-9]\d{0,6}$/, { message: 'ARCA_AUTH_FAILURE_LIMIT must be a whole number from 1' })
  ARCA_AUTH_FAILURE_LIMIT = '10';

  @Matches(/^[1-9]\d{0,5}$/, { message: 'ARCA_AUTH_FAILURE_WINDOW_S must be a whole number of seconds from 1' })
  ARCA_AUTH_FAILURE_WINDOW_S = '60';

  /** Proxies whose X-Forwarded-For names the client (see auth/trust-proxy.ts); unset: none. */
  @IsOptional() @Matches(/^(\d+|[\w.:/-]+(\s*,\s*[\w.:/-]+)*)$/, { message: 'ARCA_TRUST_PROXY must be a number of hops or a comma-separated list of addresses, subnets, loopback, linklocal or uniquelocal' })
  ARCA_TRUST_PROXY: string | undefined = undefined;

  /** An OIDC issuer whose bearer tokens are accepted (its `iss`); unset: API keys only. */
  @IsOptional() @Matches(/^https?:\/\/\S+$/, { message: 'OIDC_ISSUER must be an http(s) URL' })
  OIDC_ISSUER: string | undefined = undefined;

  @ValidateIf(withIssuer) @IsString({ message: 'OIDC_AUDIENCE must be set with OIDC_ISSUER (the aud tokens for Arca carry)' })
  OIDC_AUDIENCE: string | undefined = undefined;

  @ValidateIf(withIssuer) @Matches(/^https?:\/\/\S+$/, { message: "OIDC_JWKS_URL must be set with OIDC_ISSUER: the http(s) URL of the issuer's JWKS" })
  OIDC_JWKS_URL: string | undefined = undefined;

  /** The console's client id at the issuer: with it the console signs in through the issuer (authorization code with PKCE). */
  @IsOptional() @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'OIDC_CLIENT_ID must be 1-200 printable characters without spaces' })
  OIDC_CLIENT_ID: string | undefined = undefined;

  /** The scopes the console asks the issuer for. */
  @Matches(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, { message: 'OIDC_SCOPE must be scopes separated by single spaces, e.g. "openid profile"' })
  OIDC_SCOPE = 'openid';

  @IsString()
  OIDC_ROLE_CLAIM = 'arca_role';

  @IsString()
  OIDC_TENANT_CLAIM = 'arca_tenant';

  /** The tenant of a token without the tenant claim; unset: such a token is refused (401). */
  @IsOptional() @Matches(TENANT_ID, { message: 'OIDC_DEFAULT_TENANT must be a tenant id: a lower-case slug (letters, digits, inner hyphens)' })
  OIDC_DEFAULT_TENANT: string | undefined = undefined;
}
