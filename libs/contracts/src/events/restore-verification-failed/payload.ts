import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** restore.verification_failed: a test restore could not restore its sample whole (a damaged chunk, a lost pack, no snapshot). */
export class RestoreVerificationFailed {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @IsOptional() @Matches(SNAPSHOT_ID) snapshotId?: string;
  @IsString() @MaxLength(4000) reason: string;
}
