import { IsInt, IsISO8601, IsUUID, Matches, Max, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** policy.rto_restored: a test restore after a policy.rto_breached came in within the policy's rtoMinutes again. */
export class PolicyRtoRestored {
  @IsUUID() policyId: string;
  @IsInt() @Min(1) @Max(525_600) rtoMinutes: number;
  /** The test restore within the target, and the snapshot it restored. */
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsInt() @Min(0) measuredMs: number;
  /** When the breach was detected. */
  @IsISO8601() breachedAt: string;
  @IsISO8601() restoredAt: string;
}
