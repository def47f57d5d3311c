import { describe, expect, it } from 'vitest';
import { barCells, PlainProgress, progressFigures, progressText } from './progress-view';
import { RateMeter } from './rate-meter';
import type { Job } from './types';

const running = (progress: Job['progress'], kind: Job['kind'] = 'backup'): Job => ({ jobId: 'j', kind, status: 'running', progress });

describe('progress display', () => {
  it('shows bytes of total, files, rate and ETA for a backup', () => {
    const meter = new RateMeter();
    progressFigures(running({ bytesRead: 0, files: 0, totalBytes: 4 * 1024 ** 2 }), meter, 0, 0);
    const f = progressFigures(running({ bytesRead: 1024 ** 2, files: 10, totalBytes: 4 * 1024 ** 2 }), meter, 1_000, 1_000);
    expect(progressText(running({ bytesRead: 1024 ** 2, files: 10, totalBytes: 4 * 1024 ** 2 }), f))
      .toBe('1.00 MiB of 4.00 MiB read (25%) · 10 files · 1.00 MiB/s · ETA 3s');
  });

  it('counts bytes written for a restore and shows elapsed time when the total is unknown', () => {
    const meter = new RateMeter();
    const f = progressFigures(running({ bytesWritten: 2048, files: 3 }, 'restore'), meter, 5_000, 0);
    expect(f.total).toBeUndefined();
    expect(progressText(running({ bytesWritten: 2048, files: 3 }, 'restore'), f)).toBe('2.00 KiB written · 3 files · - · elapsed 5s');
  });

  it('says what a job without counters is doing', () => {
    const f = progressFigures({ jobId: 'j', kind: 'check', status: 'requested' }, new RateMeter(), 1_000);
    expect(progressText({ jobId: 'j', kind: 'check', status: 'requested' }, f)).toBe('check waiting for a worker… 1s');
    expect(progressText({ jobId: 'j', kind: 'check', status: 'running' }, f)).toBe('check running… 1s');
    expect(progressText({ jobId: 'j', kind: 'check', status: 'completed' }, f)).toBe('check completed in 1s');
    expect(progressText({ jobId: 'j', kind: 'restore', status: 'failed' }, f)).toBe('restore failed after 1s');
  });

  it('draws a bar only when the total is known', () => {
    expect(barCells(50, 100, 10)).toBe('█████░░░░░');
    expect(barCells(200, 100, 4)).toBe('████');
    expect(barCells(50, undefined)).toBe('');
  });

  it('writes plain lines on each status change and then at most every few seconds', () => {
    const lines: string[] = [];
    const view = new PlainProgress((l) => lines.push(l), 60_000);
    view.update({ jobId: 'j', kind: 'backup', status: 'requested' });
    view.update({ jobId: 'j', kind: 'backup', status: 'requested' });
    view.update(running({ bytesRead: 1, files: 1 }));
    view.update(running({ bytesRead: 2, files: 1 }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^backup waiting for a worker/);
    expect(lines[1]).toMatch(/^1 B read · 1 files/);
  });
});
