import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const OBJECT_LOCK_MODES = ['compliance', 'governance'] as const;
export type ObjectLockModeName = (typeof OBJECT_LOCK_MODES)[number];

/** The longest lock Arca asks for: 100 years (S3 itself sets no practical ceiling). */
export const MAX_OBJECT_LOCK_DAYS = 36_500;

/**
 * A policy's S3 object lock (WORM) on the packs, pack lists and manifests its backups write:
 * "compliance" (nobody can delete them before their date) or "governance" (only an explicit
 * bypass can). Without `days`, the period is derived from the policy's retention rules
 * (`lockDaysFor` in @arca/schedule).
 */
export class ObjectLockSpec {
  // Messages name the field alone: the validation pipe prefixes the parent ("objectLock.").
  @IsIn([...OBJECT_LOCK_MODES], { message: 'mode must be "compliance" or "governance"' })
  mode: ObjectLockModeName;

  @IsOptional() @IsInt() @Min(1, { message: 'days must be at least 1' }) @Max(MAX_OBJECT_LOCK_DAYS, { message: `days must be at most ${MAX_OBJECT_LOCK_DAYS}` })
  days?: number;
}

/** The lock a backup job writes with, as backup.requested carries it: each object is locked for retainUntilDays from its write. */
export class BackupObjectLock {
  @IsIn([...OBJECT_LOCK_MODES]) mode: ObjectLockModeName;
  @IsInt() @Min(1) @Max(MAX_OBJECT_LOCK_DAYS) retainUntilDays: number;
}
