import { rpoStatus } from '@arca/schedule';
import type { JobView } from './job-projection';

export interface JobMeasurement {
  kind: string;
  outcome: string;
  tenant: string;
  /** From the request to the outcome. */
  durationSeconds: number;
  /** A completed backup's bytes: read from the source, new to the repository, stored. */
  bytes?: { read: number; new: number; stored: number };
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * What a job's metrics record when an event moves it to its outcome, or undefined when the event
 * did not (a progress event, a redelivered or late one): each job is counted once, at its outcome.
 */
export function jobMeasurement(before: Pick<JobView, 'status'> | undefined, after: JobView): JobMeasurement | undefined {
  if (!FINAL.has(after.status) || (before && FINAL.has(before.status))) return undefined;
  const finished = (after.finishedAt ?? after.lastEventAt).getTime();
  const measurement: JobMeasurement = {
    kind: after.kind, outcome: after.status, tenant: after.tenant, durationSeconds: Math.max(0, (finished - after.requestedAt.getTime()) / 1000),
  };
  const stats = after.stats as { bytesRead?: unknown; bytesNew?: unknown; bytesStored?: unknown } | null;
  if (after.kind === 'backup' && after.status === 'completed' && stats && typeof stats.bytesRead === 'number') {
    measurement.bytes = { read: stats.bytesRead, new: Number(stats.bytesNew ?? 0), stored: Number(stats.bytesStored ?? 0) };
  }
  return measurement;
}

export interface PolicyRpoGauge {
  labels: { policy_id: string; policy: string; tenant: string };
  breached: number;
  rpoSeconds: number;
  lastSuccessAgeSeconds: number;
}

/**
 * A policy's RPO state as gauges: breached (1) while the scheduler's announced breach stands or the
 * deadline has passed by the scheduler's own rule; the age of its last success (before any: since
 * the policy became known).
 */
export function policyRpoGauge(policy: { policyId: string; name: string; tenant: string; rpoMinutes: number; lastSuccessAt: Date | null; knownSince: Date | null; rpoBreachedAt: Date | null }, now: Date): PolicyRpoGauge {
  const status = rpoStatus(policy.lastSuccessAt, policy.rpoMinutes, now, policy.knownSince);
  const since = policy.lastSuccessAt ?? policy.knownSince;
  return {
    labels: { policy_id: policy.policyId, policy: policy.name, tenant: policy.tenant },
    breached: policy.rpoBreachedAt || !status.compliant ? 1 : 0,
    rpoSeconds: policy.rpoMinutes * 60,
    lastSuccessAgeSeconds: since ? Math.max(0, (now.getTime() - since.getTime()) / 1000) : 0,
  };
}
