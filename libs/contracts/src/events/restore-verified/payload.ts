import { IsInt, IsOptional, IsUUID, Matches, Min } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** restore.verified: a test restore restored its sample byte for byte (every chunk checked against its id) and removed it. */
export class RestoreVerified {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @Matches(SNAPSHOT_ID) snapshotId: string;
  /** The sample asked for (0: the whole snapshot) and what was restored. */
  @IsInt() @Min(0) sample: number;
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) bytesRestored: number;
  /** How long the restore of the sample took. */
  @IsInt() @Min(0) durationMs: number;
  /**
   * The whole snapshot's restore time at the sample's rate (its bytes over the sample's
   * throughput); for a whole-snapshot test restore, the time it took. The observed RTO.
   */
  @IsInt() @Min(0) estimatedFullRestoreMs: number;
}
