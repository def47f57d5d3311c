import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { VERIFY_SAMPLE_MAX } from '../common/policy-spec';
import { TENANT_ID } from '../common/tenant';

/** A site in a report's query or a quota's path: "primary" (where backups write) or a replica site (SITE_NAME), never "." or "..". */
export const REPORT_SITE = /^(?!\.{1,2}$)[\w.-]{1,64}$/;
const SITE_RULE = 'must be a site: "primary" or a replica site\'s name (1-64 letters, digits, "_", "-" or ".", not "." or "..")';
const TENANT_RULE = 'must be a tenant: a lower-case slug of letters, digits and inner hyphens, at most 63';

/** A report's formats: JSON for programs, CSV for spreadsheets, PDF for the auditor's file. */
export const REPORT_FORMATS = ['json', 'csv', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A date (2026-10-01, midnight UTC) or a time with its zone (2026-10-01T08:00:00Z, …+02:00). */
const REPORT_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const TIME_RULE = 'must be a date (2026-10-01) or a time with its zone (2026-10-01T08:00:00Z)';

/** The longest period one report covers: a year and a day (a leap year's reports end on its last day). */
export const REPORT_MAX_DAYS = 367;
/** Without `from`/`to`: the last 90 days, a quarter. */
export const REPORT_DEFAULT_DAYS = 90;

/** GET /reports/compliance and /reports/jobs-daily: a period [from, to), optionally of one policy, in a format. */
export class ReportQuery {
  @IsOptional() @Matches(REPORT_TIME, { message: `from ${TIME_RULE}` })
  from?: string;

  @IsOptional() @Matches(REPORT_TIME, { message: `to ${TIME_RULE}` })
  to?: string;

  @IsOptional() @IsUUID(undefined, { message: 'policy must be a policy id (a UUID)' })
  policy?: string;

  @IsOptional() @IsIn([...REPORT_FORMATS], { message: 'format must be "json", "csv" or "pdf"' })
  format?: ReportFormat;
}

/** GET /reports/jobs-daily: a page of rows (a day of one policy's backups each), `limit` (1–1000, default 100) from `offset`. */
export class JobsDailyQuery extends ReportQuery {
  @IsOptional() @Matches(/^([1-9]\d{0,2}|1000)$/, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;

  @IsOptional() @Matches(/^\d{1,9}$/, { message: 'offset must be a whole number from 0 to 999999999' })
  offset?: string;
}

/** GET /reports/storage-forecast: growth over the last `days` days of a site (default primary), and when the quotas (or `quotaBytes`) are reached. */
export class StorageForecastQuery {
  @IsOptional() @Matches(/^([2-9]|[1-9]\d|[12]\d\d|3[0-5]\d|36[0-6])$/, { message: 'days must be a whole number from 2 to 366' })
  days?: string;

  @IsOptional() @Matches(/^[1-9]\d{0,17}$/, { message: 'quotaBytes must be a whole number of bytes from 1 to 18 digits' })
  quotaBytes?: string;

  @IsOptional() @Matches(REPORT_SITE, { message: `site ${SITE_RULE}` })
  site?: string;

  /** Another tenant's forecast: callers of the default tenant only. */
  @IsOptional() @Matches(TENANT_ID, { message: `tenant ${TENANT_RULE}` })
  tenant?: string;
}

/** GET /reports/storage-daily: storage per day, policy and site over a period; paginated like jobs-daily. */
export class StorageDailyQuery {
  @IsOptional() @Matches(REPORT_TIME, { message: `from ${TIME_RULE}` })
  from?: string;

  @IsOptional() @Matches(REPORT_TIME, { message: `to ${TIME_RULE}` })
  to?: string;

  @IsOptional() @IsUUID(undefined, { message: 'policy must be a policy id (a UUID)' })
  policy?: string;

  @IsOptional() @Matches(REPORT_SITE, { message: `site ${SITE_RULE}` })
  site?: string;

  /** Another tenant's rows: callers of the default tenant only. */
  @IsOptional() @Matches(TENANT_ID, { message: `tenant ${TENANT_RULE}` })
  tenant?: string;

  @IsOptional() @Matches(/^([1-9]\d{0,2}|1000)$/, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;

  @IsOptional() @Matches(/^\d{1,9}$/, { message: 'offset must be a whole number from 0 to 999999999' })
  offset?: string;
}

/** GET /reports/replication-lag-daily: replication lag per day and replica site over a period. */
export class ReplicationLagDailyQuery {
  @IsOptional() @Matches(REPORT_TIME, { message: `from ${TIME_RULE}` })
  from?: string;

  @IsOptional() @Matches(REPORT_TIME, { message: `to ${TIME_RULE}` })
  to?: string;

  @IsOptional() @Matches(REPORT_SITE, { message: `site ${SITE_RULE}` })
  site?: string;

  @IsOptional() @Matches(/^([1-9]\d{0,2}|1000)$/, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;

  @IsOptional() @Matches(/^\d{1,9}$/, { message: 'offset must be a whole number from 0 to 999999999' })
  offset?: string;
}

/** The largest quota: 2^53 − 1 bytes (8 PiB), what JSON numbers carry exactly. */
export const QUOTA_MAX_BYTES = Number.MAX_SAFE_INTEGER;

/** PUT /quotas/sites/:site and /quotas/tenants/:tenant: the bytes a site or a tenant may store. */
export class PutQuotaRequest {
  @IsInt({ message: 'bytes must be a whole number of bytes' }) @Min(1, { message: 'bytes must be at least 1' })
  @Max(QUOTA_MAX_BYTES, { message: `bytes must be at most ${QUOTA_MAX_BYTES}` })
  bytes: number;
}

/** The path parameters of the quota routes, checked as the queries are. */
export function quotaTargetProblem(scope: 'site' | 'tenant', name: string): string | null {
  if (scope === 'site') return REPORT_SITE.test(name) ? null : `site ${SITE_RULE}`;
  return TENANT_ID.test(name) ? null : `tenant ${TENANT_RULE}`;
}

/**
 * The period a report query names, or why it names none: dates are midnight UTC; `to` defaults
 * to now and `from` to 90 days before `to`; `from` must come before `to`, within REPORT_MAX_DAYS.
 */
export function reportPeriod(query: Pick<ReportQuery, 'from' | 'to'>, now = new Date()): { from: Date; to: Date } | { error: string } {
  const parse = (text: string) => {
    const date = new Date(/T/.test(text) ? text : `${text}T00:00:00Z`);
    // Date rolls 2026-02-30 over into March: a day that is not in its month is no date.
    const [y, m, d] = text.slice(0, 10).split('-').map(Number);
    const local = /T/.test(text) ? new Date(Date.UTC(y, m - 1, d)) : date;
    return local.getUTCFullYear() === y && local.getUTCMonth() === m - 1 && local.getUTCDate() === d ? date : new Date(NaN);
  };
  const to = query.to ? parse(query.to) : now;
  const from = query.from ? parse(query.from) : new Date(to.getTime() - REPORT_DEFAULT_DAYS * 86_400_000);
  if (Number.isNaN(from.getTime())) return { error: `from ${TIME_RULE}: "${query.from}" is no such date` };
  if (Number.isNaN(to.getTime())) return { error: `to ${TIME_RULE}: "${query.to}" is no such date` };
  if (from.getTime() >= to.getTime()) return { error: `from (${from.toISOString()}) must come before to (${to.toISOString()})` };
  if (to.getTime() - from.getTime() > REPORT_MAX_DAYS * 86_400_000) return { error: `a report covers at most ${REPORT_MAX_DAYS} days; ${from.toISOString()} to ${to.toISOString()} is longer` };
  return { from, to };
}

/** POST /policies/:id/verify-restore: a test restore of the policy's newest snapshot now (or of one named). */
export class VerifyRestoreRequest {
  /** Files to restore, chosen at random (default 100); 0 restores the whole snapshot. */
  @IsOptional() @IsInt({ message: 'sample must be a whole number of files' }) @Min(0, { message: 'sample must be at least 0 (0: the whole snapshot)' })
  @Max(VERIFY_SAMPLE_MAX, { message: `sample must be at most ${VERIFY_SAMPLE_MAX} files (0: the whole snapshot)` })
  sample?: number;

  /** A snapshot of the policy to verify instead of its newest (64 hex digits). */
  @IsOptional() @Matches(/^[0-9a-f]{64}$/, { message: 'snapshotId must be a snapshot id (64 lowercase hex digits)' })
  snapshotId?: string;
}
