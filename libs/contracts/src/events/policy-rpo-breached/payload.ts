import { IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { SITE_NAME } from '../../common/ids';
import { Nullable } from '../../common/nullable';

/** policy.rpo_breached: a policy has had no successful backup within its RPO. Published once per breach. */
export class PolicyRpoBreached {
  @IsUUID() policyId: string;
  /** The last successful backup; null when the policy never had one. */
  @Nullable() @IsISO8601() lastSuccessAt: string | null;
  @IsInt() @Min(1) @Max(525_600) rpoMinutes: number;
  /**
   * Absent: the primary site (the scheduler's watch over backups). A replica site's name:
   * replication's watch, a snapshot of the policy has waited for that site longer than the RPO.
   */
  @IsOptional() @Matches(SITE_NAME, { message: 'site must be a site name' }) site?: string;
  @IsISO8601() detectedAt: string;
}
