import { describe, expect, it } from 'vitest';
import { foldJobEvent, JobEvent, JobView } from './job-projection';

const jobId = '3f1b2c4d-0000-4000-8000-000000000001';
const ev = (type: string, second: number, payload: Record<string, unknown> = {}): JobEvent => ({
  type, jobId, occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(), payload: { jobId, ...payload },
});

function fold(events: JobEvent[]): JobView {
  return events.reduce<JobView | undefined>((view, e) => foldJobEvent(view, e), undefined)!;
}

describe('foldJobEvent', () => {
  it('ends a cancelled backup as cancelled, with the reason, and never moves it on', () => {
    const view = fold([
      ev('backup.requested', 0, { source: { kind: 'directory', path: '/data' } }),
      ev('backup.started', 1),
      ev('backup.cancelled', 3, { reason: 'the backup window closed' }),
      ev('backup.progress', 2, { files: 10 }),
    ]);
    expect(view).toMatchObject({ status: 'cancelled', error: 'the backup window closed', snapshotId: null, attempt: 1 });
    expect(fold([ev('backup.requested', 0, { attempt: 3 }), ev('backup.failed', 1, { reason: 'no' })])).toMatchObject({ status: 'failed', attempt: 3 });
    expect(view.finishedAt?.toISOString()).toBe('2026-01-01T00:00:03.000Z');
  });

  it('follows a backup from request to completion', () => {
    const view = fold([
      ev('backup.requested', 0, { source: { kind: 'directory', path: '/data' }, policyId: null }),
      ev('backup.started', 1),
      ev('backup.progress', 2, { files: 10, bytesRead: 1000 }),
      ev('backup.completed', 3, { snapshotId: 'abc', stats: { files: 20, bytesRead: 2000 } }),
    ]);
    expect(view).toMatchObject({ kind: 'backup', status: 'completed', snapshotId: 'abc', stats: { files: 20 }, source: { path: '/data' } });
    expect(view.startedAt?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(view.finishedAt?.toISOString()).toBe('2026-01-01T00:00:03.000Z');
  });

  it("keeps a backup's skipped entries with its figures, and none when there were none", () => {
    const skipped = [{ path: '/fifo', reason: 'not backed up' }];
    expect(fold([ev('backup.completed', 1, { snapshotId: 'abc', stats: { files: 2 }, errors: 1, skipped })]).stats).toEqual({ files: 2, errors: 1, skipped });
    expect(fold([ev('backup.completed', 1, { snapshotId: 'abc', stats: { files: 2 }, errors: 0 })]).stats).toEqual({ files: 2 });
  });

  it("never keeps a postgres URL's password in the job history", () => {
    const view = fold([ev('backup.requested', 0, { source: { kind: 'postgres', connection: 'postgres://app:hunter22@db:5432/shop' } })]);
    expect(view.source).toEqual({ kind: 'postgres', connection: 'postgres://app:***@db:5432/shop' });
  });

  it('never moves a finished job backwards when a late or redelivered event arrives', () => {
    const view = fold([ev('backup.requested', 0), ev('backup.completed', 3, { snapshotId: 'abc', stats: {} }), ev('backup.progress', 2, { files: 1 }), ev('backup.started', 1)]);
    expect(view.status).toBe('completed');
    expect(view.progress).toBeNull();
  });

  it('records the failure reason', () => {
    const view = fold([ev('restore.requested', 0), ev('restore.failed', 1, { reason: 'snapshot abc not found' })]);
    expect(view).toMatchObject({ kind: 'restore', status: 'failed', error: 'snapshot abc not found' });
  });

  it('handles a job first seen by a later event', () => {
    expect(fold([ev('backup.started', 5)]).status).toBe('running');
  });

  it('refuses event types that are not job events', () => {
    expect(() => foldJobEvent(undefined, ev('policy.changed', 0))).toThrow(/cannot fold event type "policy.changed"/);
  });
});
