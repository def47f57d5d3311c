import { IsInt, IsISO8601, IsUUID, Max, Min } from 'class-validator';

/** policy.rpo_restored: a backup succeeded after a policy.rpo_breached; the policy meets its RPO again. */
export class PolicyRpoRestored {
  @IsUUID() policyId: string;
  @IsISO8601() lastSuccessAt: string;
  @IsInt() @Min(1) @Max(525_600) rpoMinutes: number;
  /** When the breach was detected. */
  @IsISO8601() breachedAt: string;
  @IsISO8601() restoredAt: string;
}
