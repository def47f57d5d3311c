import { describe, expect, it } from 'vitest';
import { jobTimeline, RecordedJobEvent, timelineDetail, traceUrl } from './job-timeline';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
let n = 0;
const ev = (type: string, ms: number, service: string, detail: Record<string, unknown> | null = null, trace: string | null = traceId): RecordedJobEvent => ({
  eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, type, service, occurredAt: new Date(Date.UTC(2026, 0, 1) + ms), traceId: trace, spanId: trace ? '00f067aa0ba902b7' : null, detail,
});

describe('jobTimeline', () => {
  it('orders the events, gives each stage its duration, folds progress, and names the failing service and cause', () => {
    const view = jobTimeline([
      ev('backup.failed', 4_000, 'ingest', { reason: 'dedupe-index unreachable at http://127.0.0.1:3004/chunks/lookup: ECONNREFUSED', stage: 'index' }),
      ev('backup.progress', 2_000, 'ingest', { files: 1 }),
      ev('backup.requested', 0, 'scheduler', { attempt: 2 }),
      ev('backup.progress', 3_000, 'ingest', { files: 5 }),
      ev('backup.started', 500, 'ingest'),
    ], 'http://localhost:16686/trace/{traceId}');
    expect(view.traceId).toBe(traceId);
    expect(view.traceUrl).toBe(`http://localhost:16686/trace/${traceId}`);
    expect(view.timeline.map((e) => [e.type, e.service, e.stage, e.durationMs, e.events])).toEqual([
      ['backup.requested', 'scheduler', 'requested', 500, 1],
      ['backup.started', 'ingest', 'started', 1_500, 1],
      ['backup.progress', 'ingest', 'progress', 2_000, 2],
      ['backup.failed', 'ingest', 'failed', null, 1],
    ]);
    expect(view.timeline[2].detail).toEqual({ files: 5 });
    expect(view.timeline[0].at).toBe('2026-01-01T00:00:00.000Z');
    expect(view.failure).toEqual({ service: 'ingest', stage: 'index', error: 'dedupe-index unreachable at http://127.0.0.1:3004/chunks/lookup: ECONNREFUSED', at: '2026-01-01T00:00:04.000Z' });
  });

  it('puts events of the same instant in lifecycle order, and names no failure for a job that completed', () => {
    const view = jobTimeline([ev('restore.completed', 10, 'ingest', { snapshotId: 'abc' }), ev('restore.started', 10, 'ingest'), ev('restore.requested', 10, 'gateway')]);
    expect(view.timeline.map((e) => e.stage)).toEqual(['requested', 'started', 'completed']);
    expect(view.failure).toBeNull();
    expect(view.traceUrl).toBeNull(); // no template configured
  });

  it("takes the request's trace, and has none for a job whose events carried none", () => {
    expect(jobTimeline([ev('prune.requested', 0, 'scheduler', null, null), ev('prune.failed', 5, 'ingest', { reason: 'x' })]).traceId).toBe(traceId);
    expect(jobTimeline([ev('check.requested', 0, 'gateway', null, null)])).toMatchObject({ traceId: null, traceUrl: null, failure: null });
  });

  it('names a cancellation as the end of a job, with its reason', () => {
    expect(jobTimeline([ev('backup.started', 0, 'ingest'), ev('backup.cancelled', 5, 'ingest', timelineDetail('backup.cancelled', { reason: 'the window closed' }))]).failure)
      .toMatchObject({ service: 'ingest', stage: 'cancelled', error: 'the window closed' });
  });
});

describe('timelineDetail', () => {
  it("keeps a failure's reason and stage and a progress's counters, never a source", () => {
    expect(timelineDetail('backup.failed', { jobId: 'j', reason: 'no such directory', stage: 'read', source: { kind: 'postgres', connection: 'postgres://u:pw@h/db' } })).toEqual({ reason: 'no such directory', stage: 'read' });
    expect(timelineDetail('backup.progress', { jobId: 'j', files: 3, bytesRead: 10, currentPath: '/secret/name' })).toEqual({ files: 3, bytesRead: 10 });
    expect(timelineDetail('backup.requested', { jobId: 'j', source: { kind: 'directory', path: '/x' } })).toBeNull();
  });
});

describe('traceUrl', () => {
  it('fills the template', () => {
    expect(traceUrl('https://grafana.example/explore?trace={traceId}&x={traceId}', 'ab')).toBe('https://grafana.example/explore?trace=ab&x=ab');
    expect(traceUrl(undefined, 'ab')).toBeNull();
  });
});
