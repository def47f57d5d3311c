import { IsInt, IsISO8601, IsUUID, Matches, Max, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/**
 * policy.rto_breached: a test restore of the policy measured a (whole-snapshot, estimated) restore
 * time over its rtoMinutes. Published once per breach: later test restores over the target are
 * part of the same breach, until one within it publishes policy.rto_restored.
 */
export class PolicyRtoBreached {
  @IsUUID() policyId: string;
  @IsInt() @Min(1) @Max(525_600) rtoMinutes: number;
  /** The test restore (verify job) that measured it, and the snapshot it restored. */
  @IsUUID() jobId: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  /** The measured whole-snapshot restore time (restore.verified's estimatedFullRestoreMs). */
  @IsInt() @Min(0) measuredMs: number;
  @IsISO8601() detectedAt: string;
}
