/**
 * The gateway's JSON shapes as the CLI reads them (docs/rest-api.md). Declared here rather than
 * imported from @arca/contracts so the CLI stays a plain HTTP client with no Nest or validator
 * dependencies; every field the CLI does not need is left out or optional.
 */

export type JobStatus = 'requested' | 'running' | 'completed' | 'failed' | 'cancelled';

/** What a backup reads, as a job or policy carries it. */
export interface SourceSpec {
  kind: 'directory' | 'postgres' | 'stream';
  path?: string;
  connection?: string;
  name?: string;
}

export interface JobProgress {
  files?: number;
  bytesRead?: number;
  /** Restores report bytes written rather than read. */
  bytesWritten?: number;
  bytesNew?: number;
  bytesStored?: number;
  totalBytes?: number;
  currentPath?: string;
}

export interface Job {
  jobId: string;
  kind: 'backup' | 'restore' | 'check' | 'prune' | 'recover' | 'verify';
  status: JobStatus;
  /** Which run of a scheduled backup this is: 1, or more for a retry. */
  attempt?: number;
  policyId?: string | null;
  source?: SourceSpec | null;
  snapshotId?: string | null;
  progress?: JobProgress | null;
  stats?: Record<string, unknown> | null;
  error?: string | null;
  requestedAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  /** The job's OpenTelemetry trace, and a link to it when the platform has TRACE_URL_TEMPLATE. */
  traceId?: string | null;
  traceUrl?: string | null;
  /** The job's events in order (GET /jobs/:id only). */
  timeline?: TimelineEntry[];
  /** Which service reported the failure (or cancellation), in which stage, and why. */
  failure?: { service: string; stage: string; error: string; at: string } | null;
  retryOf?: string | null;
}

/** One entry of a job's timeline, as `arca jobs show` prints it. */
export interface TimelineEntry {
  type: string;
  service: string;
  at: string;
  /** Until the next entry; null for the last. */
  durationMs: number | null;
  /** How many events the entry stands for (consecutive progress events are one). */
  events: number;
}

export interface BackupStats {
  files: number;
  dirs: number;
  bytesRead: number;
  bytesNew: number;
  bytesStored: number;
  /** bytesRead / bytesNew; null when nothing new was stored. */
  dedupeRatio: number | null;
  /** bytesNew / bytes stored for them; null when nothing new was stored. */
  compressionRatio: number | null;
  durationMs: number;
  throughputBytesPerSec?: number;
  /** Entries not backed up (unreadable, sockets, …); present only when there were some. */
  errors?: number;
  /** The first of them (up to 100), with reasons. */
  skipped?: Array<{ path: string; reason: string }>;
}

export interface RestoreStats {
  files: number;
  dirs: number;
  bytesWritten: number;
  durationMs: number;
  failedFiles?: Array<{ path: string; reason: string }>;
}

export interface DamagedChunk {
  chunkId: string;
  packKey: string;
  reason?: string;
  snapshots: string[];
  files: string[];
}

/** What `check --repair` did (see CheckRepair in libs/contracts). */
export interface CheckRepair {
  forgotten: string[];
  notIndexedThere: string[];
  damagedSnapshots: Array<{ snapshotId: string; files: string[] }>;
  note: string;
}

export interface CheckStats {
  packsChecked: number;
  chunksChecked: number;
  damaged: DamagedChunk[];
  durationMs?: number;
  /** Damaged copies restores no longer read: the chunk was stored again in `indexedIn`. */
  superseded?: Array<{ chunkId: string; packKey: string; reason: string; indexedIn: string }>;
  repair?: CheckRepair;
  /** Packs no snapshot references (left by failed or cut-off backups), kept until prune reclaims them. */
  unreferenced?: { count: number; bytes: number; keys: string[] };
}

/**
 * A snapshot as listed. The catalogue answers with `sourceKind`/`sourceId`; the API overview
 * describes a `source` object; the CLI accepts either.
 */
export interface Snapshot {
  id: string;
  time: string;
  sourceKind?: SourceSpec['kind'];
  sourceId?: string;
  source?: SourceSpec;
  policyId?: string | null;
  parentId?: string | null;
  stats: BackupStats;
}

export interface TreeEntry {
  name: string;
  path: string;
  type: 'dir' | 'file' | 'symlink' | 'hardlink';
  size?: number;
  mode: number;
  mtime: string;
  target?: string;
  linkTo?: string;
}

export interface Policy {
  id: string;
  name: string;
  version: number;
  source: SourceSpec;
  schedule: { cron: string; timezone: string };
  backupWindow?: { start: string; end: string } | null;
  rpoMinutes: number;
  retention: Record<string, number | undefined>;
  bandwidthLimitBytesPerSec?: number | null;
  replicate?: boolean | null;
  replicaSites?: string[] | null;
  createdAt?: string;
  updatedAt?: string;
}

export interface Summary {
  jobs: { total: number; completed: number; failed: number; cancelled?: number; successRate: number | null };
  storage: { bytesRead?: number; bytesNew?: number; bytesStored: number; packs?: number };
  dedupeRatio: number | null;
  compressionRatio?: number | null;
  rpo: Array<{ policyId: string; name: string; rpoMinutes?: number; compliant: boolean; ageMinutes: number | null; lastSuccessAt?: string | null; breachedAt?: string | null }>;
  replication?: {
    completed?: number; failed?: number; maxLagMs?: number | null; avgLagMs?: number | null;
    /** Each replica site's lag now (the replication service's queue). */
    sites?: Array<{ site: string; lagSeconds: number; bytesPending: number; snapshotsPending: number; failingSince: string | null }>;
  };
  /** The storage service's own accounting of the object store, when the gateway adds it. */
  usage?: { repository?: { packs: number; bytesStored: number; rawBytes?: number; snapshots?: number } };
}

/** An API key as GET /keys lists it (never its secret); `key` only in the answer that creates it. */
export interface ApiKey {
  id: string;
  name: string;
  role: 'admin' | 'operator' | 'auditor';
  tenant: string;
  prefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  rotatedFrom: string | null;
  key?: string;
}

/** GET /audit/verify. */
export interface AuditVerification {
  valid: boolean;
  entries: number;
  head?: { seq: number; hash: string };
  firstBroken?: { seq: number; eventId: string; reason: string };
}

/** One audit entry (GET /audit). */
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** A webhook subscription (GET /webhooks); `secret` only in the answer that creates it. */
export interface Webhook {
  id: string;
  url: string;
  events: string[];
  createdBy: string;
  createdAt: string;
  secret?: string;
}

/** One delivery of an event to a subscription. */
export interface WebhookDelivery {
  id: string;
  eventId: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** GET /reports/compliance (JSON). */
export interface ComplianceReport {
  tenant: string;
  from: string;
  to: string;
  generatedAt: string;
  policies: Array<{
    policyId: string; name: string; deleted: boolean; rpoMinutes: number; immutable: boolean;
    backups: { completed: number; failed: number; cancelled: number; bytesRead: number; bytesStored: number };
    rpo: { metShare: number | null; observedMs: number; breachedMs: number; breaches: Array<{ from: string; to: string | null; durationMs: number; causes: Array<{ jobId: string; at: string; error: string | null }> }> };
    lastSuccessfulBackupAt: string | null;
    lastTestRestore: { jobId: string; at: string; status: 'completed' | 'failed'; files: number | null; durationMs: number | null; estimatedFullRestoreMs: number | null; error: string | null } | null;
    rto: { targetMinutes: number | null; observedMinutes: number | null; met: boolean | null; breaches?: Array<{ at: string; jobId: string; measuredMinutes: number; targetMinutes: number; restoredAt: string | null }> };
  }>;
  lastCleanCheck: { jobId: string; at: string } | null;
}

/** GET /reports/jobs-daily. */
export interface JobsDaily {
  total: number;
  rows: Array<{ day: string; policyId: string | null; policyName: string | null; completed: number; failed: number; cancelled: number; durationMs: number; bytesRead: number; bytesNew: number; bytesStored: number }>;
}

/** GET /reports/storage-forecast. */
export interface StorageForecast {
  site?: string;
  days: Array<{ day: string; bytesStored: number }>;
  growthBytesPerDay: number | null;
  quotaBytes: number | null;
  quotaReachedOn: string | null;
  /** The tenant's and the site's quotas (set under /quotas) and the request's, each with when it is reached. */
  quotas?: Array<{ scope: 'site' | 'tenant' | 'request'; name: string; quotaBytes: number; bytesStored: number; reachedOn: string | null; reached: boolean }>;
}

/** GET /reports/storage-daily: a page of rows (a day of one policy at one site each). */
export interface StorageDaily {
  total: number;
  rows: Array<{
    day: string; policyId: string | null; policyName: string | null; site: string; snapshots: number; bytesRead: number; bytesNew: number;
    bytesAdded: number; bytesFreed: number; bytesStored: number; dedupeRatio: number | null; compressionRatio: number | null;
  }>;
  totals: Array<{ site: string; days: Array<{ day: string; bytesStored: number }> }>;
}

/** A repository key slot, as GET /repository/key-slots lists it (never its wrapped material). */
export interface KeySlotInfo {
  id: string;
  label: string;
  kind: 'passphrase' | 'local-key' | 'vault-transit';
  createdAt: string;
  binding?: string;
  unlockedHere: boolean;
}
