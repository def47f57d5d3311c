import { SingleBar } from 'cli-progress';
import { formatBytes, formatDuration, formatRate } from './format';
import { RateMeter } from './rate-meter';
import type { Job } from './types';

/** Something that shows a followed job's progress while it runs. */
export interface ProgressView {
  update(job: Job): void;
  stop(): void;
}

/** The figures a progress display needs, from whatever counters this kind of job reports. */
export interface ProgressFigures {
  done: number;
  total?: number;
  files: number;
  rate?: number;
  etaMs?: number;
  elapsedMs: number;
}

/** Backups count bytes read, restores bytes written; checks report nothing until they finish. */
export function progressFigures(job: Job, meter: RateMeter, elapsedMs: number, now = Date.now()): ProgressFigures {
  const p = job.progress ?? {};
  const done = p.bytesRead ?? p.bytesWritten ?? 0;
  const total = p.totalBytes && p.totalBytes > 0 ? Math.max(p.totalBytes, done) : undefined;
  meter.sample(done, now);
  return { done, total, files: p.files ?? 0, rate: meter.rate(), etaMs: meter.etaMs(total), elapsedMs };
}

/** One line of text for a job's state: the plain (non-terminal) display, and the text beside the bar. */
export function progressText(job: Job, f: ProgressFigures): string {
  if (job.status === 'requested') return `${job.kind} waiting for a worker… ${formatDuration(f.elapsedMs)}`;
  if (job.status === 'completed') return `${job.kind} completed in ${formatDuration(f.elapsedMs)}`;
  if (job.status === 'failed') return `${job.kind} failed after ${formatDuration(f.elapsedMs)}`;
  if (job.status === 'cancelled') return `${job.kind} cancelled after ${formatDuration(f.elapsedMs)}`;
  if (!job.progress) return `${job.kind} running… ${formatDuration(f.elapsedMs)}`;
  const phase = (job.progress as { phase?: string }).phase;
  if ((job.kind === 'prune' || job.kind === 'recover') && phase) {
    const p = job.progress as { done?: number; total?: number };
    return `${job.kind}: ${phase}${p.total ? ` ${p.done ?? 0} of ${p.total}` : ''} · elapsed ${formatDuration(f.elapsedMs)}`;
  }
  const verb = job.kind === 'restore' ? 'written' : 'read';
  const amount = f.total !== undefined ? `${formatBytes(f.done)} of ${formatBytes(f.total)} ${verb} (${((f.done / f.total) * 100).toFixed(0)}%)` : `${formatBytes(f.done)} ${verb}`;
  const parts = [amount, `${f.files} files`, formatRate(f.rate)];
  if (f.etaMs !== undefined) parts.push(`ETA ${formatDuration(f.etaMs)}`);
  else parts.push(`elapsed ${formatDuration(f.elapsedMs)}`);
  return parts.join(' · ');
}

/** A 24-cell bar; empty when the total is unknown (a stream upload, a check) so nothing pretends to know. */
export function barCells(done: number, total: number | undefined, width = 24): string {
  if (total === undefined) return '';
  const filled = Math.min(width, Math.round((done / total) * width));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** A redrawn progress bar for terminals; cli-progress handles the redraw throttling and cursor. */
export class TerminalProgress implements ProgressView {
  private readonly meter = new RateMeter();
  private readonly started = Date.now();
  private readonly bar: SingleBar;
  private figures?: ProgressFigures;
  private text = '';
  private running = false;
  private readonly onInterrupt = () => {
    this.stop();
    this.stream.write(`\narca: stopped following; the job keeps running on the platform (see "arca jobs")\n`);
    process.exit(130);
  };

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.bar = new SingleBar({
      stream,
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
      format: () => {
        const cells = barCells(this.figures?.done ?? 0, this.figures?.total);
        return cells ? `${cells} ${this.text}` : this.text;
      },
    });
  }

  update(job: Job): void {
    const previous = this.figures;
    this.figures = progressFigures(job, this.meter, Date.now() - this.started);
    // A finished job's view has no counters any more: leave the bar full rather than empty.
    if (job.status === 'completed' && !job.progress && previous?.total !== undefined) this.figures = { ...this.figures, done: previous.total, total: previous.total };
    this.text = progressText(job, this.figures);
    if (!this.running) {
      this.running = true;
      process.once('SIGINT', this.onInterrupt);
      this.bar.start(1, 0);
    }
    this.bar.update(0); // values are ignored by our format; this only schedules a redraw
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    process.removeListener('SIGINT', this.onInterrupt);
    this.bar.stop();
  }
}

/** Periodic plain lines for logs and pipes, where a redrawn bar would be noise. */
export class PlainProgress implements ProgressView {
  private readonly meter = new RateMeter();
  private readonly started = Date.now();
  private lastLineAt = 0;
  private lastStatus?: string;

  constructor(private readonly write: (line: string) => void, private readonly everyMs = 5_000) {}

  update(job: Job): void {
    const now = Date.now();
    const figures = progressFigures(job, this.meter, now - this.started, now);
    if (job.status === this.lastStatus && now - this.lastLineAt < this.everyMs) return;
    this.lastStatus = job.status;
    this.lastLineAt = now;
    this.write(`${progressText(job, figures)}\n`);
  }

  stop(): void {}
}

export const NO_PROGRESS: ProgressView = { update() {}, stop() {} };
