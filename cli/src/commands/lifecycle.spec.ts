import { describe, expect, it } from 'vitest';
import type { Job } from '../types';
import { jobDetail } from './jobs';
import { renderPrune, renderRetention } from './lifecycle';

const snapshot = (c: string) => c.repeat(64);

describe('lifecycle output', () => {
  it('lists what retention keeps with its reasons and what it forgets, and points at prune', () => {
    const plan = {
      policyId: 'p', dryRun: false,
      keep: [{ snapshotId: snapshot('a'), time: '2026-01-02T00:00:00.000Z', reasons: ['last 1', 'daily 2026-1-2'] }, { snapshotId: snapshot('b'), time: '2026-01-01T00:00:00.000Z', reasons: ['legal hold'] }],
      forget: [{ snapshotId: snapshot('c'), time: '2025-12-31T00:00:00.000Z' }],
    };
    expect(renderRetention(plan).split('\n')).toEqual([
      'keep    aaaaaaaaaaaa  2026-01-02T00:00:00.000Z  last 1, daily 2026-1-2',
      'keep    bbbbbbbbbbbb  2026-01-01T00:00:00.000Z  legal hold',
      'forget  cccccccccccc  2025-12-31T00:00:00.000Z',
      'forgot 1 snapshot(s), kept 2 (run "arca prune" to reclaim their space)',
    ]);
    expect(renderRetention({ ...plan, dryRun: true })).toMatch(/would forget 1 snapshot\(s\), kept 2$/);
  });

  it('says what a prune deleted, rewrote, kept and freed', () => {
    const stats = {
      dryRun: false, packsDeleted: 5, packsRewritten: 2, packsWritten: 1, orphansDeleted: 1, packsRescued: 1, packsLocked: 3,
      bytesFreed: 40 * 1024 * 1024, bytesWritten: 1024 * 1024, bytesUnused: 1024, bytesStored: 100 * 1024 * 1024, snapshotsPurgedCount: 2, durationMs: 1500,
    };
    const out = renderPrune(stats);
    expect(out).toMatch(/^5 pack\(s\) deleted, 2 rewritten into 1 new one\(s\), 1 orphan object\(s\)\n40\.0 MiB freed \(1\.00 MiB rewritten\)/);
    expect(out).toMatch(/1 pack\(s\) kept because backups running during the prune came to use them/);
    expect(out).toMatch(/3 pack\(s\) kept by object lock/);
    expect(out).toMatch(/2 forgotten snapshot manifest\(s\) removed\ntook 2s$/);
    expect(renderPrune({ ...stats, dryRun: true })).toMatch(/^5 pack\(s\) would be deleted, 2 would be rewritten into new packs/);
  });

  it('shows a prune job by its step while it runs and by what it freed when done', () => {
    const job = (over: Partial<Job>): Job => ({ jobId: '0123456789abcdef', kind: 'prune', status: 'completed', ...over });
    expect(jobDetail(job({ status: 'running', progress: { phase: 'mark', done: 3, total: 10 } as never }))).toBe('mark 3 of 10');
    expect(jobDetail(job({ stats: { bytesFreed: 2048, packsDeleted: 2, dryRun: false } as never }))).toBe('2.00 KiB freed, 2 pack(s) deleted');
  });
});
