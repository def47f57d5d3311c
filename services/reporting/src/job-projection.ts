import { redactedSource, type SourceSpec, tenantOfEvent } from '@arca/contracts';
import type { JobKind, JobStatus } from './entities/job-view.entity';

/** The part of a job read model that events change. */
export interface JobView {
  jobId: string;
  tenant: string;
  kind: JobKind;
  status: JobStatus;
  policyId: string | null;
  source: Record<string, unknown> | null;
  snapshotId: string | null;
  progress: Record<string, unknown> | null;
  stats: Record<string, unknown> | null;
  error: string | null;
  attempt: number;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  lastEventAt: Date;
}

export interface JobEvent {
  type: string;
  occurredAt: string;
  jobId: string;
  tenant?: string;
  payload: Record<string, unknown>;
}

const STAGE: Record<string, { kind: JobKind; status: JobStatus }> = {
  'backup.requested': { kind: 'backup', status: 'requested' },
  'backup.started': { kind: 'backup', status: 'running' },
  'backup.progress': { kind: 'backup', status: 'running' },
  'backup.completed': { kind: 'backup', status: 'completed' },
  'backup.failed': { kind: 'backup', status: 'failed' },
  'backup.cancelled': { kind: 'backup', status: 'cancelled' },
  'restore.requested': { kind: 'restore', status: 'requested' },
  'restore.started': { kind: 'restore', status: 'running' },
  'restore.progress': { kind: 'restore', status: 'running' },
  'restore.completed': { kind: 'restore', status: 'completed' },
  'restore.failed': { kind: 'restore', status: 'failed' },
  'check.requested': { kind: 'check', status: 'requested' },
  'check.completed': { kind: 'check', status: 'completed' },
  'prune.requested': { kind: 'prune', status: 'requested' },
  'prune.started': { kind: 'prune', status: 'running' },
  'prune.progress': { kind: 'prune', status: 'running' },
  'prune.completed': { kind: 'prune', status: 'completed' },
  'prune.failed': { kind: 'prune', status: 'failed' },
  'restore.verification_requested': { kind: 'verify', status: 'requested' },
  'restore.verified': { kind: 'verify', status: 'completed' },
  'restore.verification_failed': { kind: 'verify', status: 'failed' },
  'recover.requested': { kind: 'recover', status: 'requested' },
  'recover.started': { kind: 'recover', status: 'running' },
  'recover.progress': { kind: 'recover', status: 'running' },
  'recover.completed': { kind: 'recover', status: 'completed' },
  'recover.failed': { kind: 'recover', status: 'failed' },
};

export const JOB_EVENT_TYPES = Object.keys(STAGE);

const FINAL: JobStatus[] = ['completed', 'failed', 'cancelled'];
const RANK: Record<JobStatus, number> = { requested: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };

/**
 * Folds one lifecycle event into a job's read model. Kafka orders events per partition only, and
 * a job's events share a key, but a redelivery or a late progress event must never move a job
 * backwards: a finished job stays finished, and status only advances.
 */
export function foldJobEvent(current: JobView | undefined, event: JobEvent): JobView {
  const stage = STAGE[event.type];
  if (!stage) throw new Error(`reporting cannot fold event type "${event.type}" into a job`);
  const at = new Date(event.occurredAt);
  const p = event.payload;
  const view: JobView = current ?? {
    jobId: event.jobId, tenant: tenantOfEvent(event), kind: stage.kind, status: 'requested', policyId: null, source: null, snapshotId: null,
    progress: null, stats: null, error: null, attempt: 1, requestedAt: at, startedAt: null, finishedAt: null, lastEventAt: at,
  };
  if (FINAL.includes(view.status) && stage.status !== view.status && !(view.status === 'failed' && stage.status === 'completed')) {
    return view;
  }
  if (RANK[stage.status] >= RANK[view.status]) view.status = stage.status;
  view.policyId ??= (p.policyId as string | undefined) ?? null;
  // backup.requested carries a postgres URL's password for ingest; the job history never shows it
  view.source ??= p.source ? (redactedSource(p.source as SourceSpec) as unknown as Record<string, unknown>) : null;
  view.snapshotId ??= (p.snapshotId as string | undefined) ?? null;
  if (event.type.endsWith('.requested')) {
    view.requestedAt = at < view.requestedAt ? at : view.requestedAt;
    view.attempt = Number(p.attempt ?? view.attempt);
  }
  if (event.type.endsWith('.started')) view.startedAt ??= at;
  if (event.type.endsWith('.progress') && at >= view.lastEventAt && !FINAL.includes(view.status)) {
    const { jobId: _jobId, ...progress } = p;
    view.progress = progress;
  }
  if (event.type.endsWith('.completed') || event.type === 'restore.verified') {
    view.stats = (p.stats as Record<string, unknown> | undefined) ?? { ...p };
    // a backup's skipped entries go with its figures, so GET /jobs/:id (and the CLI) can name them
    if (event.type === 'backup.completed' && Number(p.errors) > 0) view.stats = { ...view.stats, errors: p.errors, skipped: p.skipped ?? [] };
    view.finishedAt = at;
    view.error = null;
  }
  if (event.type.endsWith('.failed') || event.type.endsWith('.cancelled') || event.type === 'restore.verification_failed') {
    view.error = String(p.reason ?? 'unknown failure');
    view.finishedAt = at;
  }
  if (at > view.lastEventAt) view.lastEventAt = at;
  return view;
}
