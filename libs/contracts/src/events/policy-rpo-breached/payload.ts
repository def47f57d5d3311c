import { IsInt, IsISO8601, IsUUID, Max, Min } from 'class-validator';
import { Nullable } from '../../common/nullable';

/** policy.rpo_breached: a policy has had no successful backup within its RPO. Published once per breach. */
export class PolicyRpoBreached {
  @IsUUID() policyId: string;
  /** The last successful backup; null when the policy never had one. */
  @Nullable() @IsISO8601() lastSuccessAt: string | null;
  @IsInt() @Min(1) @Max(525_600) rpoMinutes: number;
  @IsISO8601() detectedAt: string;
}
