import { TOPIC_CATALOGUE, type Topic } from '@arca/contracts';

/** One job event as reporting keeps it for the timeline (entities/job-event.entity.ts). */
export interface RecordedJobEvent {
  eventId: string;
  type: string;
  /** The service that published it (the event's `arca-service` header, else the catalogue's publisher). */
  service: string;
  occurredAt: Date;
  traceId: string | null;
  spanId: string | null;
  /** What the timeline shows of the payload: a failure's reason and stage, a progress's counters. */
  detail: Record<string, unknown> | null;
}

export interface TimelineEntry {
  type: string;
  service: string;
  /** The lifecycle stage: requested, started, progress, completed, failed, cancelled. */
  stage: string;
  at: string;
  /** Until the next entry; null for the last one. */
  durationMs: number | null;
  /** Consecutive progress events are one entry: how many it stands for. */
  events: number;
  traceId: string | null;
  spanId: string | null;
  detail: Record<string, unknown> | null;
}

export interface JobFailure {
  /** The service that reported the failure (the one whose span recorded the error). */
  service: string;
  /** Where in the job it failed (a backup's pipeline stage: read, store, index, manifest, queue), else the lifecycle stage. */
  stage: string;
  error: string;
  at: string;
}

export interface JobTrace {
  traceId: string | null;
  traceUrl: string | null;
  timeline: TimelineEntry[];
  failure: JobFailure | null;
}

const ORDER = ['requested', 'started', 'progress', 'completed', 'failed', 'cancelled'];
const stageOf = (type: string) => type.slice(type.indexOf('.') + 1);

/** Who publishes a topic by the catalogue: for events recorded without the header. */
export function cataloguePublisher(type: string): string {
  return (TOPIC_CATALOGUE as Record<string, { publisher: string } | undefined>)[type as Topic]?.publisher ?? 'unknown';
}

/** What of a job event's payload the timeline keeps (never a source: a postgres URL may carry a password). */
export function timelineDetail(type: string, payload: Record<string, unknown>): Record<string, unknown> | null {
  const stage = stageOf(type);
  if (stage === 'failed' || stage === 'cancelled') return { reason: String(payload.reason ?? 'unknown failure').slice(0, 4000), ...(payload.stage ? { stage: payload.stage } : {}) };
  if (stage === 'requested' && payload.attempt !== undefined) return { attempt: payload.attempt };
  if (stage === 'progress') {
    const { jobId: _jobId, currentPath: _path, ...counters } = payload;
    return counters;
  }
  if (stage === 'completed' && payload.snapshotId) return { snapshotId: payload.snapshotId };
  return null;
}

/** The link to a trace in the operator's trace viewer: TRACE_URL_TEMPLATE with `{traceId}` replaced. */
export function traceUrl(template: string | undefined, traceId: string | null): string | null {
  return template && traceId ? template.replaceAll('{traceId}', traceId) : null;
}

/**
 * A job's events as a timeline, in order (by time; at equal times by lifecycle stage), with the
 * duration of each stage until the next event, the trace they belong to (the request's: every
 * event of a job carries it) and, for a job that failed or was cancelled, which service reported
 * it, where and why.
 */
export function jobTimeline(events: RecordedJobEvent[], template?: string): JobTrace {
  const sorted = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || ORDER.indexOf(stageOf(a.type)) - ORDER.indexOf(stageOf(b.type)) || a.eventId.localeCompare(b.eventId));
  const timeline: TimelineEntry[] = [];
  for (const e of sorted) {
    const last = timeline.at(-1);
    if (last && last.stage === 'progress' && stageOf(e.type) === 'progress' && last.type === e.type) {
      last.events++;
      last.detail = e.detail; // the latest counters
      continue;
    }
    timeline.push({ type: e.type, service: e.service, stage: stageOf(e.type), at: e.occurredAt.toISOString(), durationMs: null, events: 1, traceId: e.traceId, spanId: e.spanId, detail: e.detail });
  }
  for (let i = 0; i + 1 < timeline.length; i++) timeline[i].durationMs = Date.parse(timeline[i + 1].at) - Date.parse(timeline[i].at);
  const traceId = (sorted.find((e) => stageOf(e.type) === 'requested' && e.traceId) ?? sorted.find((e) => e.traceId))?.traceId ?? null;
  const end = [...timeline].reverse().find((e) => ['completed', 'failed', 'cancelled'].includes(e.stage));
  const failure = end && end.stage !== 'completed' ? { service: end.service, stage: String(end.detail?.stage ?? end.stage), error: String(end.detail?.reason ?? 'unknown failure'), at: end.at } : null;
  return { traceId, traceUrl: traceUrl(template, traceId), timeline, failure };
}
