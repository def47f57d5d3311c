import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';
import { VERIFY_SAMPLE_MAX } from '../../common/policy-spec';

/**
 * restore.verification_requested: a test restore. Restore a sample of a snapshot (a policy's
 * newest, when no snapshot is named) to a scratch directory of ingest's, verify every byte, time
 * it and remove it again.
 */
export class RestoreVerificationRequested {
  @IsUUID() jobId: string;
  /** The policy whose newest snapshot to verify (scheduled test restores name only this). */
  @IsOptional() @IsUUID() policyId?: string;
  /** A snapshot to verify; absent: the policy's newest. */
  @IsOptional() @Matches(SNAPSHOT_ID) snapshotId?: string;
  /** Files to restore, chosen at random; 0: the whole snapshot. */
  @IsInt() @Min(0) @Max(VERIFY_SAMPLE_MAX) sample: number;
  @IsIn(['schedule', 'manual']) trigger: 'schedule' | 'manual';
}
