import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/** audit.recorded: who did what to which object, for the audit log. */
export class AuditRecorded {
  @IsString() @MaxLength(200) actor: string;
  /** e.g. policy.create, policy.update, backup.run, restore.run, check.run */
  @IsString() @MaxLength(100) action: string;
  @IsString() @MaxLength(500) target: string;
  @IsOptional() @IsObject() details?: Record<string, unknown>;
}
