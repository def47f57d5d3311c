import {
  AuditRecorded, BackupCancelled, BackupCancelRequested, BackupCompleted, BackupFailed, BackupProgress, BackupRequested, BackupStarted, CheckCompleted, CheckRequested,
  PacksDeleted, PackStored, PolicyChanged, PolicyDeleted, PolicyRpoBreached, PolicyRpoRestored, PolicyRtoBreached, PolicyRtoRestored, PruneCompleted, PruneFailed, PruneProgress, PruneRequested, PruneStarted,
  RecoverCompleted, RecoverFailed, RecoverProgress, RecoverRequested, RecoverStarted, ReplicationCompleted, ReplicationFailed,
  RestoreCompleted, RestoreFailed, RestoreProgress, RestoreRequested, RestoreStarted, RestoreVerificationFailed, RestoreVerificationRequested, RestoreVerified,
  SnapshotForgotten, SnapshotRecovered, SnapshotStored,
} from './events';

/** The services of the platform, as publishers and consumers in the catalogue. */
export type ServiceName = 'gateway' | 'policy' | 'scheduler' | 'ingest' | 'dedupe-index' | 'storage' | 'replication' | 'reporting';

interface CatalogueEntry {
  /** The class every message's payload is validated against. */
  payload: new () => object;
  /** The payload field messages are keyed by: events of one key keep their order (one partition). */
  key: string;
  publisher: ServiceName;
  /** Consumer groups the platform runs for this topic; anyone else may subscribe too. */
  consumers: readonly ServiceName[];
  description: string;
  /**
   * The schema version of the topic's events (the envelope's `version`); absent: 1. A breaking change
   * is a new topic with the next version, published beside this one (docs/events.md, "Versions").
   */
  version?: number;
}

/**
 * The topic catalogue: every topic Arca services publish, what it means, who publishes it, who
 * consumes it, its payload class and its message key. Read top to bottom, it is the whole
 * conversation between services. `npm run asyncapi` turns it into libs/contracts/asyncapi.json.
 */
export const TOPIC_CATALOGUE = {
  'policy.changed': { payload: PolicyChanged, key: 'policyId', publisher: 'policy', consumers: ['scheduler', 'replication', 'reporting', 'ingest'], description: 'A policy was created or a new version stored.' },
  'policy.deleted': { payload: PolicyDeleted, key: 'policyId', publisher: 'policy', consumers: ['scheduler', 'replication', 'reporting', 'ingest'], description: 'A policy was deleted; no more scheduled runs.' },
  'policy.rpo_breached': { payload: PolicyRpoBreached, key: 'policyId', publisher: 'scheduler', consumers: ['reporting'], description: 'A policy has had no successful backup within its RPO (published once per breach). With `site`, published by replication: a snapshot of the policy has waited for that replica site longer than the RPO.' },
  'policy.rpo_restored': { payload: PolicyRpoRestored, key: 'policyId', publisher: 'scheduler', consumers: ['reporting'], description: 'A backup succeeded after an RPO breach: the policy meets its RPO again. With `site`, published by replication: the site caught up.' },
  'policy.rto_breached': { payload: PolicyRtoBreached, key: 'policyId', publisher: 'scheduler', consumers: ['reporting'], description: "A test restore of a policy measured a (whole-snapshot, estimated) restore time over its rtoMinutes (published once per breach)." },
  'policy.rto_restored': { payload: PolicyRtoRestored, key: 'policyId', publisher: 'scheduler', consumers: ['reporting'], description: 'A test restore after an RTO breach came in within the policy\'s rtoMinutes: the policy meets its RTO again.' },
  'backup.requested': { payload: BackupRequested, key: 'jobId', publisher: 'scheduler', consumers: ['ingest', 'reporting'], description: 'A backup job is due (schedule) or asked for (manual).' },
  'backup.started': { payload: BackupStarted, key: 'jobId', publisher: 'ingest', consumers: ['scheduler', 'reporting'], description: 'An ingest worker started a backup job.' },
  'backup.progress': { payload: BackupProgress, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'Periodic counters of a running backup.' },
  'backup.completed': { payload: BackupCompleted, key: 'jobId', publisher: 'ingest', consumers: ['scheduler', 'reporting'], description: 'A backup finished: the snapshot and its statistics. Subscribe here for downstream processing.' },
  'backup.failed': { payload: BackupFailed, key: 'jobId', publisher: 'ingest', consumers: ['scheduler', 'reporting'], description: 'A backup failed, with the reason and the stage.' },
  'backup.cancel_requested': { payload: BackupCancelRequested, key: 'jobId', publisher: 'scheduler', consumers: ['ingest'], description: "Stop a backup job: its window closed and its policy's windowEnd is \"cancel\"." },
  'backup.cancelled': { payload: BackupCancelled, key: 'jobId', publisher: 'ingest', consumers: ['scheduler', 'reporting'], description: 'A backup job was stopped on request; no snapshot was made.' },
  'restore.requested': { payload: RestoreRequested, key: 'jobId', publisher: 'gateway', consumers: ['ingest', 'reporting'], description: 'Restore a snapshot (or paths of it) into a target directory.' },
  'restore.started': { payload: RestoreStarted, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A restore job started.' },
  'restore.progress': { payload: RestoreProgress, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'Periodic counters of a running restore.' },
  'restore.completed': { payload: RestoreCompleted, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A restore finished (files that failed verification are listed).' },
  'restore.failed': { payload: RestoreFailed, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A restore failed as a whole, with the reason.' },
  'restore.verification_requested': { payload: RestoreVerificationRequested, key: 'jobId', publisher: 'scheduler', consumers: ['ingest', 'reporting'], description: "A test restore: a sample of a snapshot (a policy's newest) to restore to scratch, verify, time and remove (the scheduler on a policy's verifyRestore schedule, or POST /policies/{id}/verify-restore through the gateway)." },
  'restore.verified': { payload: RestoreVerified, key: 'jobId', publisher: 'ingest', consumers: ['scheduler', 'reporting'], description: 'A test restore restored its sample byte for byte: its time and the whole snapshot\'s estimated restore time (the observed RTO).' },
  'restore.verification_failed': { payload: RestoreVerificationFailed, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A test restore could not restore its sample whole, with the reason.' },
  'check.requested': { payload: CheckRequested, key: 'jobId', publisher: 'gateway', consumers: ['ingest', 'reporting'], description: 'Verify packs and the chunks snapshots reference.' },
  'check.completed': { payload: CheckCompleted, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A check finished, naming damaged chunks with the snapshots and files they affect.' },
  'pack.stored': { payload: PackStored, key: 'packKey', publisher: 'ingest', consumers: ['storage', 'replication'], description: 'A pack object was written to the object store.' },
  'snapshot.stored': { payload: SnapshotStored, key: 'snapshotId', publisher: 'ingest', consumers: ['storage', 'replication'], description: "A snapshot's manifest and packs are all in the object store." },
  'snapshot.recovered': { payload: SnapshotRecovered, key: 'snapshotId', publisher: 'ingest', consumers: ['storage'], description: 'A recovery put a live snapshot back into the catalogue (what snapshot.stored said of it), so storage accounts it again.' },
  'snapshot.forgotten': { payload: SnapshotForgotten, key: 'snapshotId', publisher: 'ingest', consumers: ['storage', 'replication', 'reporting'], description: 'Retention or an operator forgot a snapshot: it is gone from listings; a prune reclaims what only it referenced.' },
  'prune.requested': { payload: PruneRequested, key: 'jobId', publisher: 'gateway', consumers: ['ingest', 'reporting'], description: "Reclaim space: delete packs no live snapshot references and rewrite mostly unused ones (POST /prune through the gateway, or the scheduler on a policy's prune schedule)." },
  'prune.started': { payload: PruneStarted, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'An ingest worker started a prune.' },
  'prune.progress': { payload: PruneProgress, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'The step a running prune is in.' },
  'prune.completed': { payload: PruneCompleted, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A prune finished: packs deleted and rewritten, bytes freed, time taken.' },
  'prune.failed': { payload: PruneFailed, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A prune failed; the next one finishes its work.' },
  'packs.deleted': { payload: PacksDeleted, key: 'jobId', publisher: 'ingest', consumers: ['storage', 'replication'], description: 'A prune deleted these pack objects (at most 1,000 keys a message).' },
  'recover.requested': { payload: RecoverRequested, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: "Rebuild the snapshot catalogue, the dedupe index and storage accounting from one site's bucket (POST /repository/recover through the gateway; ingest refuses it while the catalogue has snapshots, unless merging)." },
  'recover.started': { payload: RecoverStarted, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'An ingest worker started a recovery.' },
  'recover.progress': { payload: RecoverProgress, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'The step a running recovery is in.' },
  'recover.completed': { payload: RecoverCompleted, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A recovery finished: snapshots, packs and chunks recovered, what was left out and why.' },
  'recover.failed': { payload: RecoverFailed, key: 'jobId', publisher: 'ingest', consumers: ['reporting'], description: 'A recovery failed; running it again with merge finishes it.' },
  'replication.completed': { payload: ReplicationCompleted, key: 'snapshotId', publisher: 'replication', consumers: ['reporting'], description: 'A snapshot reached a secondary site.' },
  'replication.failed': { payload: ReplicationFailed, key: 'snapshotId', publisher: 'replication', consumers: ['reporting'], description: 'Copying a snapshot to a secondary site failed: published once per failure episode (the first failed attempt), with the reason; replication retries the copy with backoff until it succeeds (replication.completed) or the snapshot is forgotten.' },
  'audit.recorded': { payload: AuditRecorded, key: 'actor', publisher: 'gateway', consumers: ['reporting'], description: 'An operator action, for the audit log.' },
} as const satisfies Record<string, CatalogueEntry>;

export type Topic = keyof typeof TOPIC_CATALOGUE;
export type PayloadOf<T extends Topic> = InstanceType<(typeof TOPIC_CATALOGUE)[T]['payload']>;

/** Topic names by a readable constant: TOPICS.backupCompleted === 'backup.completed'. */
export const TOPICS = {
  policyChanged: 'policy.changed',
  policyDeleted: 'policy.deleted',
  policyRpoBreached: 'policy.rpo_breached',
  policyRpoRestored: 'policy.rpo_restored',
  policyRtoBreached: 'policy.rto_breached',
  policyRtoRestored: 'policy.rto_restored',
  backupRequested: 'backup.requested',
  backupStarted: 'backup.started',
  backupProgress: 'backup.progress',
  backupCompleted: 'backup.completed',
  backupFailed: 'backup.failed',
  backupCancelRequested: 'backup.cancel_requested',
  backupCancelled: 'backup.cancelled',
  restoreRequested: 'restore.requested',
  restoreStarted: 'restore.started',
  restoreProgress: 'restore.progress',
  restoreCompleted: 'restore.completed',
  restoreFailed: 'restore.failed',
  restoreVerificationRequested: 'restore.verification_requested',
  restoreVerified: 'restore.verified',
  restoreVerificationFailed: 'restore.verification_failed',
  checkRequested: 'check.requested',
  checkCompleted: 'check.completed',
  packStored: 'pack.stored',
  snapshotStored: 'snapshot.stored',
  snapshotRecovered: 'snapshot.recovered',
  snapshotForgotten: 'snapshot.forgotten',
  pruneRequested: 'prune.requested',
  pruneStarted: 'prune.started',
  pruneProgress: 'prune.progress',
  pruneCompleted: 'prune.completed',
  pruneFailed: 'prune.failed',
  packsDeleted: 'packs.deleted',
  recoverRequested: 'recover.requested',
  recoverStarted: 'recover.started',
  recoverProgress: 'recover.progress',
  recoverCompleted: 'recover.completed',
  recoverFailed: 'recover.failed',
  replicationCompleted: 'replication.completed',
  replicationFailed: 'replication.failed',
  auditRecorded: 'audit.recorded',
} as const satisfies Record<string, Topic>;

export function isTopic(name: string): name is Topic {
  return Object.prototype.hasOwnProperty.call(TOPIC_CATALOGUE, name);
}

/** Where a consumer sends a message it cannot process: `<topic>.dlq`, with the reason in headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Headers a dead-lettered message carries besides its original ones. */
export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  sourceTopic: 'x-dlq-source-topic',
  partition: 'x-dlq-partition',
  offset: 'x-dlq-offset',
  consumerGroup: 'x-dlq-consumer-group',
} as const;
