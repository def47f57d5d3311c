import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ObjectLockSpec } from './object-lock';
import { SourceSpec } from './source';
import { IsBandwidthLimit } from './bandwidth';
import { SITE_NAME } from './ids';

export class ScheduleSpec {
  /** Five-field cron expression, e.g. "0 2 * * *". */
  @IsString() @MaxLength(200)
  cron: string;

  /** IANA time zone the cron expression and the window are read in. */
  @IsString() @MaxLength(64)
  timezone: string = 'UTC';
}

export class BackupWindowSpec {
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'backupWindow.start must be HH:MM' })
  start: string;

  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'backupWindow.end must be HH:MM' })
  end: string;
}

/** Grandfather-father-son retention: how many snapshots to keep per kind of period. */
export class RetentionSpec {
  @IsOptional() @IsInt() @Min(0) @Max(10_000) keepLast?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) keepHourly?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) keepDaily?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) keepWeekly?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) keepMonthly?: number;
  @IsOptional() @IsInt() @Min(0) @Max(1_000) keepYearly?: number;
  /** Keep every snapshot made within this span of the newest one: years y, months m, days d, hours h, e.g. "7d", "1y6m", "36h". */
  @IsOptional() @IsString() @Matches(/^(?=\d)(?:\d{1,4}y)?(?:\d{1,4}m)?(?:\d{1,5}d)?(?:\d{1,6}h)?$/, { message: 'retention.keepWithin must be a span such as "7d", "36h" or "1y6m" (years y, months m, days d, hours h, in that order)' })
  keepWithin?: string;
}

/** Retrying a failed scheduled backup: up to maxAttempts runs in all, waiting backoffSeconds, doubled each attempt. */
export class RetrySpec {
  /** Runs in all, the first included: 1 means no retry. */
  @IsInt() @Min(1) @Max(10)
  maxAttempts: number = 1;

  /** The wait before the first retry; each further retry waits twice as long (at most 6 hours). */
  @IsOptional() @IsInt() @Min(1) @Max(3600)
  backoffSeconds?: number = 60;
}

/** A prune on a schedule of its own (in the policy's time zone), for this policy's snapshots. */
export class PruneScheduleSpec {
  /** Five-field cron expression, e.g. "0 4 * * 0". */
  @IsString() @MaxLength(200)
  cron: string;

  /** Repack packs with more than this percentage of unreferenced bytes. */
  @IsOptional() @IsInt() @Min(0) @Max(100)
  maxUnusedPercent?: number;
}

/** The most files one test restore samples: enough to touch many packs, few enough for a scratch disk. */
export const VERIFY_SAMPLE_MAX = 10_000;

/** A test restore on a schedule: restore a sample of the newest snapshot to scratch, verify it, measure it, remove it. */
export class VerifyRestoreSpec {
  /** Five-field cron expression, read in the schedule's time zone, e.g. "0 6 * * 1". */
  @IsString() @MaxLength(200)
  cron: string;

  /** How many files, chosen at random, to restore; 0 restores the whole snapshot. Default 100. */
  @IsOptional() @IsInt() @Min(0) @Max(VERIFY_SAMPLE_MAX, { message: `verifyRestore.sample must be at most ${VERIFY_SAMPLE_MAX} files (0: the whole snapshot)` })
  sample?: number;
}

export const CATCH_UP = ['once', 'skip'] as const;
export const WINDOW_END = ['finish', 'cancel'] as const;

/** A backup policy as operators write it. */
export class PolicySpec {
  @Matches(/^[\w.-]{1,100}$/, { message: 'name must be 1-100 letters, digits, "_", "-" or "."' })
  name: string;

  @IsDefined({ message: 'source is required' }) @ValidateNested() @Type(() => SourceSpec) // @ValidateNested alone lets a missing source through
  source: SourceSpec;

  @IsDefined({ message: 'schedule is required' }) @ValidateNested() @Type(() => ScheduleSpec) // @ValidateNested alone lets a missing schedule through
  schedule: ScheduleSpec;

  @IsOptional() @ValidateNested() @Type(() => BackupWindowSpec)
  backupWindow?: BackupWindowSpec;

  /** A backup still running when its window closes: "finish" lets it finish, "cancel" stops it (no snapshot). */
  @IsOptional() @IsIn([...WINDOW_END], { message: 'windowEnd must be "finish" or "cancel"' })
  windowEnd?: (typeof WINDOW_END)[number];

  /** Due times missed while no scheduler ran: "once" runs one job for all of them, "skip" none. */
  @IsOptional() @IsIn([...CATCH_UP], { message: 'catchUp must be "once" or "skip"' })
  catchUp?: (typeof CATCH_UP)[number];

  @IsOptional() @ValidateNested() @Type(() => RetrySpec)
  retry?: RetrySpec;

  @IsOptional() @ValidateNested() @Type(() => PruneScheduleSpec)
  prune?: PruneScheduleSpec;

  /** Recovery point objective: the most data, in minutes, the business accepts to lose. */
  @IsInt() @Min(1) @Max(525_600)
  rpoMinutes: number;

  @IsDefined({ message: 'retention is required' }) @ValidateNested() @Type(() => RetentionSpec) // @ValidateNested alone lets a missing retention through
  retention: RetentionSpec;

  @IsBandwidthLimit()
  bandwidthLimitBytesPerSec?: number;

  /** Whether replication copies this policy's snapshots to the replica sites; absent means true. */
  @IsOptional() @IsBoolean({ message: 'replicate must be true or false' })
  replicate?: boolean;

  /**
   * The replica sites (by their REPLICA_SITE_NAME) this policy's snapshots go to; absent: every
   * site. Only with replicate true or absent (policy-rules).
   */
  @IsOptional()
  @IsArray({ message: 'replicaSites must be a list of site names' })
  @ArrayNotEmpty({ message: 'replicaSites must name at least one site (leave it out for every site, or set replicate: false)' })
  @ArrayMaxSize(16, { message: 'replicaSites must name at most 16 sites' })
  @ArrayUnique({ message: 'replicaSites must not name a site twice' })
  @IsString({ each: true, message: 'replicaSites must hold site names (strings)' })
  @Matches(SITE_NAME, { each: true, message: 'replicaSites: each site name must be 1-64 letters, digits, "_", "-" or "."' })
  replicaSites?: string[];

  /** S3 object lock on what this policy's backups write (the bucket must have object lock). */
  @IsOptional() @ValidateNested() @Type(() => ObjectLockSpec)
  objectLock?: ObjectLockSpec;

  /** Scheduled test restores (the compliance report names the last one). */
  @IsOptional() @ValidateNested() @Type(() => VerifyRestoreSpec)
  verifyRestore?: VerifyRestoreSpec;

  /** The recovery time objective: a test restore whose (estimated) whole-snapshot time exceeds it is reported as an RTO breach. */
  @IsOptional() @IsInt() @Min(1) @Max(525_600)
  rtoMinutes?: number;
}
