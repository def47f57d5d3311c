import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { TENANT_ID } from '../common/tenant';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { SourceSpec } from '../common/source';
import { PolicySpec } from '../common/policy-spec';
import { IsBandwidthLimit } from '../common/bandwidth';
import { RECOVER_SITES, RecoverSite } from '../events/recover-requested/payload';

/** POST /jobs: run a policy now, or back up a source given inline. */
export class ManualBackupRequest {
  @IsOptional() @IsUUID() policyId?: string;
  @IsOptional() @ValidateNested() @Type(() => SourceSpec) source?: SourceSpec;
  @IsBandwidthLimit() bandwidthLimitBytesPerSec?: number;
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

/** A query's `limit`: 1 to 1000, as the query string gives it. */
const LIMIT = /^([1-9]\d{0,2}|1000)$/;

/** GET /snapshots: newest first, optionally of one policy or one directory. */
export class SnapshotsQuery {
  @IsOptional() @IsUUID(undefined, { message: 'policyId must be a UUID' })
  policyId?: string;

  @IsOptional() @IsString() @MaxLength(4096)
  sourcePath?: string;
}

/** GET /jobs: the newest jobs, optionally of one kind. */
export class JobsQuery {
  @IsOptional() @Matches(LIMIT, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;

  @IsOptional() @IsIn(['backup', 'restore', 'check', 'prune', 'recover', 'verify'], { message: 'kind must be one of backup, restore, check, prune, recover, verify' })
  kind?: 'backup' | 'restore' | 'check' | 'prune' | 'recover' | 'verify';
}

/** GET /reports/history: the console's time series, over the last `days` days (1 to 366, default 30). */
export class HistoryQuery {
  @IsOptional() @Matches(/^([1-9]\d?|[12]\d\d|3[0-5]\d|36[0-6])$/, { message: 'days must be a whole number from 1 to 366' })
  days?: string;
}

/** GET /audit: the newest audit entries. */
export class AuditQuery {
  @IsOptional() @Matches(LIMIT, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;
}

/** POST /check. */
export class CheckRequest {
  @IsOptional() @IsInt() @Min(1) @Max(100)
  percent?: number;

  /** After the check, remove the damaged and missing chunks from the dedupe index, so the next backup stores them again. */
  @IsOptional() @IsBoolean()
  repair?: boolean;

  /** Read back the packs of this site (default: primary): "replica" verifies the copies replication made. */
  @IsOptional() @IsIn(['primary', 'replica'], { message: 'site must be "primary" or "replica"' })
  site?: 'primary' | 'replica';
}

/** POST /repository/passphrase: re-wraps the repository key; data is untouched. */
export class ChangePassphraseRequest {
  @IsString() @MaxLength(1024)
  oldPassphrase: string;

  @IsString() @MinLength(8, { message: 'newPassphrase must be at least 8 characters' }) @MaxLength(1024)
  newPassphrase: string;
}

/** The kinds of key slot (libs/datapath keys.ts): who may unwrap the repository's master key. */
export const KEY_SLOT_KINDS = ['passphrase', 'local-key', 'vault-transit'] as const;

/** A key slot's label; also what DELETE /repository/key-slots/{slot} takes besides a slot's hex id (which it matches too). */
export const KEY_SLOT_LABEL = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;

/** POST /repository/key-slots: one more wrapped copy of the master key, with a secret or KMS binding of its own. */
export class AddKeySlotRequest {
  /** What the slot is for: who holds its secret (unique in the repository). */
  @IsString() @Matches(KEY_SLOT_LABEL, { message: 'label must be 1-64 letters, digits, spaces and . _ @ -, starting with a letter or digit' })
  label: string;

  @IsIn(KEY_SLOT_KINDS, { message: `kind must be one of ${KEY_SLOT_KINDS.join(', ')}` })
  kind: (typeof KEY_SLOT_KINDS)[number];

  /** kind passphrase: the new slot's passphrase. */
  @ValidateIf((r: AddKeySlotRequest) => r.kind === 'passphrase')
  @IsString({ message: 'passphrase must be given for a passphrase slot' }) @MinLength(8, { message: 'passphrase must be at least 8 characters' }) @MaxLength(1024)
  passphrase?: string;

  /** kind vault-transit: the Transit key to wrap with (default: ARCA_VAULT_TRANSIT_KEY of the ingest service). */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_.-]{1,128}$/, { message: 'vaultKey must be 1-128 letters, digits, _ . -' })
  vaultKey?: string;

  /** A passphrase of an existing slot: required while the repository has a passphrase slot, so a stolen admin API key alone cannot add a secret of its own. */
  @IsOptional() @IsString() @MaxLength(1024)
  currentPassphrase?: string;
}

/** POST /repository/recover: rebuild what Postgres held from one site's bucket (see recover.requested). */
export class RecoverRequest {
  /** Which site's bucket to read (default the primary's). */
  @IsOptional() @IsIn(RECOVER_SITES, { message: `from must be one of: ${RECOVER_SITES.join(', ')}` })
  from?: RecoverSite;

  /** Recover into a catalogue that has snapshots already, adding only what it lacks. */
  @IsOptional() @IsBoolean()
  merge?: boolean;
}

/** POST /policies/:id/forget: apply the policy's retention now. */
export class ForgetRequest {
  /** List what would be forgotten, and why the rest stays, without forgetting anything. */
  @IsOptional() @IsBoolean()
  dryRun?: boolean;
}

/** POST /snapshots/:id/hold and DELETE /snapshots/:id/hold: a legal hold, placed or released, always with a reason. */
export class HoldRequest {
  @IsString() @MinLength(1, { message: 'reason must say why (e.g. a case number)' }) @MaxLength(1000)
  reason: string;
}

/** POST /prune. */
export class PruneRequest {
  @IsOptional() @IsBoolean()
  dryRun?: boolean;

  /** Unused bytes tolerated after the prune, as a percentage of the bytes stored (default 5, like restic's --max-unused). */
  @IsOptional() @IsInt() @Min(0) @Max(100)
  maxUnusedPercent?: number;

  /** Also rewrite every pack sealed under an older master key generation, sealing it under the newest (a re-seal after `arca keys master rotate`). */
  @IsOptional() @IsBoolean()
  reseal?: boolean;
}

/** POST /keys: a new API key (its secret is in the answer, once). */
export class CreateApiKeyRequest {
  @IsString() @Matches(/^[\w.@-]{1,100}$/, { message: 'name must be 1 to 100 letters, digits, or . _ @ -' })
  name: string;

  @IsIn(['admin', 'operator', 'auditor'], { message: 'role must be one of admin, operator, auditor' })
  role: 'admin' | 'operator' | 'auditor';

  /** The key's tenant (a slug); absent: the creator's own. Only admins of `default` may name another. */
  @IsOptional() @IsString() @Matches(TENANT_ID, { message: 'tenant must be a lower-case slug: letters, digits and inner hyphens, at most 63' })
  tenant?: string;
}

/** GET /audit/export. */
export class AuditExportQuery {
  @IsOptional() @IsIn(['json', 'csv'], { message: 'format must be "json" or "csv"' })
  format?: 'json' | 'csv';
}

/** What a webhook subscription may ask for. */
export const WEBHOOK_EVENTS = ['backup.completed', 'backup.failed', 'replication.failed', 'policy.rpo_breached', 'policy.rto_breached'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** HTTPS anywhere, or plain HTTP to this machine only (a receiver beside the platform, tests). */
const WEBHOOK_URL = /^(https:\/\/[^\s/?#]+|http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?)([/?#]\S*)?$/;

/** POST /webhooks. */
export class CreateWebhookRequest {
  @IsString() @MaxLength(2048) @Matches(WEBHOOK_URL, { message: 'url must be https://…, or http:// to localhost, 127.x.x.x or [::1]' })
  url: string;

  @IsArray() @ArrayNotEmpty() @ArrayUnique() @IsIn(WEBHOOK_EVENTS, { each: true, message: `events must be some of ${WEBHOOK_EVENTS.join(', ')}` })
  events: WebhookEvent[];
}

/** One policy as a recovery found it in the object store: its newest version, sealed there when it was saved. */
export class RecoveredPolicy {
  @IsUUID() policyId: string;
  @IsInt() @Min(1) version: number;
  @Matches(TENANT_ID, { message: 'tenant must be a tenant slug' }) tenant: string;
  @ValidateNested() @Type(() => PolicySpec) spec: PolicySpec;
  @IsISO8601() updatedAt: string;
}

/** POST /policies/recovered (policy service, internal): policies a recovery brings back; none it holds is changed. */
export class RecoveredPoliciesRequest {
  @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => RecoveredPolicy) policies: RecoveredPolicy[];
}

/** What the policy service did with each recovered policy. */
export interface RecoveredPoliciesResponse {
  restored: string[];
  /** Held already (the same id): left as they are. */
  kept: string[];
  skipped: Array<{ policyId: string; reason: string }>;
}
