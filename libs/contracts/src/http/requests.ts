import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { SourceSpec } from '../common/source';

/** POST /jobs: run a policy now, or back up a source given inline. */
export class ManualBackupRequest {
  @IsOptional() @IsUUID() policyId?: string;
  @IsOptional() @ValidateNested() @Type(() => SourceSpec) source?: SourceSpec;
  @IsOptional() @IsInt() @Min(1024) bandwidthLimitBytesPerSec?: number;
}

/** POST /snapshots/:id/restore. */
export class RestoreRequest {
  @IsString() @Matches(/^\//, { message: 'target must be an absolute path' }) @MaxLength(4096)
  target: string;

  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @IsString({ each: true })
  paths?: string[];

  /** Restore from the replica site (when the primary site is gone). Default: primary. */
  @IsOptional() @IsIn(['primary', 'replica'], { message: 'site must be "primary" or "replica"' })
  site?: 'primary' | 'replica';
}

/** POST /check. */
export class CheckRequest {
  @IsOptional() @IsInt() @Min(1) @Max(100)
  percent?: number;
}

/** POST /repository/passphrase: re-wraps the repository key; data is untouched. */
export class ChangePassphraseRequest {
  @IsString() @MaxLength(1024)
  oldPassphrase: string;

  @IsString() @MinLength(8, { message: 'newPassphrase must be at least 8 characters' }) @MaxLength(1024)
  newPassphrase: string;
}
