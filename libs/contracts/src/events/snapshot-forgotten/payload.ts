import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { SNAPSHOT_ID } from '../../common/ids';

/** snapshot.forgotten: retention (or an operator) released a snapshot; a prune reclaims what only it referenced. */
export class SnapshotForgotten {
  @Matches(SNAPSHOT_ID) snapshotId: string;
  @IsOptional() @IsUUID() policyId?: string;
  /** e.g. "retention: kept by no rule (keepLast 2)". */
  @IsString() @MaxLength(1000) reason: string;
  @IsIn(['retention', 'operator']) by: 'retention' | 'operator';
  /** Who asked: the operator, or the backup job whose completion applied retention. */
  @IsString() @MaxLength(255) actor: string;
  @IsOptional() @IsUUID() jobId?: string;
}
