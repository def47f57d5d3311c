import { describe, expect, it } from 'vitest';
import type { Job, Summary } from '../types';
import { backupSummary } from './backup';
import { renderDamage } from './check';
import { jobDetail, renderJobs } from './jobs';
import { formatMode } from './ls';
import { describeRetention } from './policies';
import { formatMinutes, renderReport } from './report';
import { snapshotPaths } from './restore';

const job = (over: Partial<Job>): Job => ({ jobId: '0123456789abcdef', kind: 'backup', status: 'completed', ...over });

describe('command output', () => {
  it('names a damaged chunk with its pack, and an unreadable manifest as such', () => {
    const snapshot = 'ef'.repeat(32);
    const out = renderDamage({
      damaged: [
        { chunkId: 'c'.repeat(64), packKey: 'data/ab/pack', reason: 'authentication failed', snapshots: [snapshot], files: ['/a.txt'] },
        { chunkId: '', packKey: '', reason: 'manifest unreadable: object gone', snapshots: [snapshot], files: ['/'] },
      ],
    } as unknown as Parameters<typeof renderDamage>[0]);
    expect(out.split('\n')).toEqual([
      `DAMAGED chunk ${'c'.repeat(64)} in data/ab/pack: authentication failed`, `  snapshots: ${snapshot}`, '  files: /a.txt',
      'DAMAGED snapshot manifest: manifest unreadable: object gone', `  snapshots: ${snapshot}`, '  files: /',
    ]);
  });

  it('sums up each kind of job in one cell', () => {
    expect(jobDetail(job({ status: 'running', progress: { bytesRead: 512, totalBytes: 1024, files: 3 } }))).toBe('512 B of 1.00 KiB (50%), 3 files');
    expect(jobDetail(job({ snapshotId: 'ab'.repeat(32) }))).toBe('snapshot abababababab');
    expect(jobDetail(job({ kind: 'restore', stats: { files: 2, bytesWritten: 2048, failedFiles: [{}] } }))).toBe('2 files, 2.00 KiB written, 1 FAILED');
    expect(jobDetail(job({ kind: 'check', stats: { damaged: [] } }))).toBe('no damage');
    expect(jobDetail(job({ kind: 'check', stats: { damaged: [{}, {}] } }))).toBe('2 damaged chunk(s)');
    expect(jobDetail(job({ status: 'failed', error: 'disk full' }))).toBe('disk full');
  });

  it('sums up a backup that stored nothing new in words, not as an unbounded ratio', () => {
    const stats = { files: 6, dirs: 3, bytesRead: 22 * 1024 ** 2, bytesNew: 0, bytesStored: 1339, dedupeRatio: null, compressionRatio: null, durationMs: 35 };
    const line = backupSummary(job({ snapshotId: 'ab'.repeat(32), stats }));
    expect(line).toMatch(/22.0 MiB read, 0 B new, 1.31 KiB stored, nothing new to store, 35ms/);
    expect(line).not.toMatch(/∞|dedupe/);
    expect(backupSummary(job({ stats: { ...stats, bytesNew: 11 * 1024 ** 2, dedupeRatio: 2 } }))).toMatch(/dedupe 2.00×/);
  });

  it('lists jobs with what each one works on, never a database password', () => {
    const out = renderJobs([
      job({ source: { kind: 'postgres', connection: 'postgres://u:secret@db/shop' } }),
      job({ kind: 'restore', snapshotId: 'cd'.repeat(32) }),
      job({ kind: 'check' }),
    ]);
    expect(out).toMatch(/postgres:db\/shop/);
    expect(out).not.toMatch(/secret/);
    expect(out).toMatch(/snapshot cdcdcdcdcdcd/);
    expect(out).toMatch(/check\s+completed\s+-\s+repository/);
    expect(renderJobs([])).toBe('no jobs yet');
  });

  it('names the attempt of a retried backup and the reason of a cancelled one', () => {
    const out = renderJobs([job({ status: 'failed', attempt: 2, error: 'disk full' }), job({ status: 'cancelled', error: 'the backup window closed' })]);
    expect(out).toMatch(/failed \(attempt 2\)\s.*disk full/);
    expect(out).toMatch(/cancelled\s.*cancelled: the backup window closed/);
  });

  it('prints modes like ls -l', () => {
    expect(formatMode('file', 0o644)).toBe('-rw-r--r--');
    expect(formatMode('dir', 0o750)).toBe('drwxr-x---');
    expect(formatMode('symlink', 0o777)).toBe('lrwxrwxrwx');
  });

  it('makes restore paths absolute inside the snapshot', () => {
    expect(snapshotPaths(['docs/', '/etc/hosts', '/'])).toEqual(['/docs', '/etc/hosts', '/']);
    expect(snapshotPaths([])).toBeUndefined();
  });

  it('describes retention and RPO ages', () => {
    expect(describeRetention({ keepLast: 7, keepHourly: 0, keepWeekly: 4 })).toBe('last 7, weekly 4');
    expect(describeRetention({})).toBe('keep all');
    expect(formatMinutes(null)).toBe('never');
    expect(formatMinutes(4.25)).toBe('4.3 min');
    expect(formatMinutes(1440)).toBe('24.0 h');
    expect(formatMinutes(10_080)).toBe('7.0 d');
  });

  it('reports the summary, preferring the storage service\'s own usage figures', () => {
    const summary: Summary = {
      jobs: { total: 10, completed: 9, failed: 1, successRate: 0.9 },
      storage: { bytesRead: 4096, bytesStored: 100 },
      dedupeRatio: 4, compressionRatio: 2,
      rpo: [{ policyId: 'p', name: 'home', rpoMinutes: 60, compliant: false, ageMinutes: null, lastSuccessAt: null }],
      usage: { repository: { packs: 3, bytesStored: 2048 } },
    };
    const out = renderReport(summary);
    expect(out).toMatch(/9 completed, 1 failed of 10 \(success rate 90\.0%\)/);
    expect(out).toMatch(/2\.00 KiB stored in 3 packs, 4\.00 KiB backed up/);
    expect(out).toMatch(/home\s+60 min\s+never\s+never\s+NO/);
  });

  it('counts cancelled backups apart and says since when a policy is in breach', () => {
    const out = renderReport({
      jobs: { total: 4, completed: 2, failed: 1, cancelled: 1, successRate: 2 / 3 }, storage: { bytesStored: 0 }, dedupeRatio: null,
      rpo: [{ policyId: 'p', name: 'home', rpoMinutes: 60, compliant: false, ageMinutes: 90, lastSuccessAt: '2026-05-01T00:00:00Z', breachedAt: '2026-05-01T01:00:01Z' }],
    });
    expect(out).toMatch(/2 completed, 1 failed, 1 cancelled of 4/);
    expect(out).toMatch(/home\s+60 min\s+.*NO \(since /);
  });

  it("shows each replica site's lag, and since when its copies fail", () => {
    const out = renderReport({
      jobs: { total: 0, completed: 0, failed: 0, successRate: null }, storage: { bytesStored: 0 }, dedupeRatio: null, rpo: [],
      replication: { completed: 1, failed: 1, sites: [
        { site: 'replica', lagSeconds: 90, bytesPending: 2048, snapshotsPending: 2, failingSince: '2026-05-01T00:00:00Z' },
        { site: 'dr-west', lagSeconds: 0, bytesPending: 0, snapshotsPending: 0, failingSince: null },
      ] },
    });
    expect(out).toMatch(/site replica {2}2 snapshot\(s\), 2\.00 KiB not yet copied, lag .+; copies failing since .+ \(retried\)/);
    expect(out).toMatch(/site dr-west {2}up to date$/m);
  });
});
