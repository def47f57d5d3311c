import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { IsArray, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';

/** Who an audited request was authenticated as (an API key, or an OIDC token's subject). */
export class AuditPrincipal {
  @IsIn(['api-key', 'oidc']) type: 'api-key' | 'oidc';
  /** The key's id, or the token's subject. */
  @IsString() @MaxLength(200) id: string;
  @IsString() @MaxLength(200) name: string;
  @IsArray() @IsString({ each: true }) roles: string[];
  @IsOptional() @IsString() @MaxLength(200) tenant?: string;
}

/** audit.recorded: who did what to which object, for the audit log. */
export class AuditRecorded {
  /** The authenticated principal as a label (`key:<name>`, `oidc:<subject>`), or `anonymous` for a failed login. */
  @IsString() @MaxLength(200) actor: string;
  /** e.g. policy.create, policy.update, backup.run, restore.run, check.run, auth.failed, key.create */
  @IsString() @MaxLength(100) action: string;
  @IsString() @MaxLength(500) target: string;
  @IsOptional() @IsObject() details?: Record<string, unknown>;
  /** Absent for failed logins (no one was authenticated). */
  @IsOptional() @ValidateNested() @Type(() => AuditPrincipal) principal?: AuditPrincipal;
  /** The gateway request's id (also its `x-request-id` response header). */
  @IsOptional() @IsString() @MaxLength(100) requestId?: string;
  /** The OpenTelemetry trace the request ran in. */
  @IsOptional() @IsString() @MaxLength(32) traceId?: string;
}
