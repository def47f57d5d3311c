import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** backup.cancelled: a backup job was stopped on request and made no snapshot (packs it had stored are announced with pack.stored, for prune). */
export class BackupCancelled {
  @IsUUID() jobId: string;
  @IsOptional() @IsUUID() policyId?: string;
  @IsString() @MaxLength(1000) reason: string;
}
