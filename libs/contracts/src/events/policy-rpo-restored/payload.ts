import { IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { SITE_NAME } from '../../common/ids';

/** policy.rpo_restored: a backup succeeded after a policy.rpo_breached; the policy meets its RPO again. */
export class PolicyRpoRestored {
  @IsUUID() policyId: string;
  @IsISO8601() lastSuccessAt: string;
  @IsInt() @Min(1) @Max(525_600) rpoMinutes: number;
  /**
   * Absent: the primary site (the scheduler's watch over backups). A replica site's name:
   * replication's watch, a snapshot of the policy has waited for that site longer than the RPO.
   */
  @IsOptional() @Matches(SITE_NAME, { message: 'site must be a site name' }) site?: string;
  /** When the breach was detected. */
  @IsISO8601() breachedAt: string;
  @IsISO8601() restoredAt: string;
}
