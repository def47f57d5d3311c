import { Command, InvalidArgumentError, Option } from 'commander';
import { CliIo, contextOf } from '../context';
import { describeSource, formatBytes, formatTime, table } from '../format';
import type { Job } from '../types';

/** What a job amounts to in one short cell: progress while it runs, the outcome when done. */
export function jobDetail(job: Job): string {
  if (job.status === 'failed') return job.error ?? 'failed';
  if (job.status === 'cancelled') return `cancelled: ${job.error ?? 'on request'}`;
  if (job.kind === 'prune') return pruneDetail(job);
  if (job.status === 'running' && job.progress) {
    const done = job.progress.bytesRead ?? job.progress.bytesWritten ?? 0;
    const total = job.progress.totalBytes;
    return `${formatBytes(done)}${total ? ` of ${formatBytes(total)} (${((done / total) * 100).toFixed(0)}%)` : ''}, ${job.progress.files ?? 0} files`;
  }
  if (job.status === 'completed' && job.kind === 'check') {
    const damaged = (job.stats as { damaged?: unknown[] } | null)?.damaged?.length ?? 0;
    return damaged ? `${damaged} damaged chunk(s)` : 'no damage';
  }
  if (job.status === 'completed' && job.kind === 'restore') {
    const s = (job.stats ?? {}) as { files?: number; bytesWritten?: number; failedFiles?: unknown[] };
    return `${s.files ?? 0} files, ${formatBytes(s.bytesWritten)} written${s.failedFiles?.length ? `, ${s.failedFiles.length} FAILED` : ''}`;
  }
  if (job.status === 'completed' && job.snapshotId) return `snapshot ${job.snapshotId.slice(0, 12)}`;
  return '';
}

/** A prune: the step it is in while it runs; what it freed when done. */
function pruneDetail(job: Job): string {
  const p = (job.progress ?? {}) as { phase?: string; done?: number; total?: number };
  if (job.status === 'running' && p.phase) return `${p.phase}${p.total ? ` ${p.done ?? 0} of ${p.total}` : ''}`;
  const s = (job.stats ?? {}) as { bytesFreed?: number; packsDeleted?: number; dryRun?: boolean };
  if (job.status === 'completed') return `${formatBytes(s.bytesFreed ?? 0)} ${s.dryRun ? 'would be freed (dry run)' : 'freed'}, ${s.packsDeleted ?? 0} pack(s) deleted`;
  return '';
}

export function renderJobs(jobs: Job[]): string {
  if (jobs.length === 0) return 'no jobs yet';
  // "what": the source a backup reads, the snapshot a restore reads; a check covers the whole repository.
  return table(['job', 'kind', 'status', 'requested', 'what', 'detail'], jobs.map((j) => [
    j.jobId.slice(0, 8), j.kind, (j.attempt ?? 1) > 1 ? `${j.status} (attempt ${j.attempt})` : j.status, formatTime(j.requestedAt),
    j.kind === 'backup' ? describeSource(j.source) : j.kind === 'restore' ? `snapshot ${j.snapshotId?.slice(0, 12) ?? '?'}` : 'repository', jobDetail(j),
  ]));
}

export function jobsCommand(io: CliIo): Command {
  return new Command('jobs')
    .description('recent backup, restore and check jobs, newest first')
    .addOption(new Option('--kind <kind>', 'only jobs of this kind').choices(['backup', 'restore', 'check', 'prune']))
    .option('--limit <n>', 'how many (default 50)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive whole number');
      return n;
    })
    .option('--json', 'print the jobs as JSON')
    .action(async (options: { kind?: string; limit?: number }, command: Command) => {
      const ctx = contextOf(command, io);
      const query = new URLSearchParams();
      if (options.limit) query.set('limit', String(options.limit));
      if (options.kind) query.set('kind', options.kind);
      const jobs = await ctx.client.get<Job[]>(`/jobs${query.size ? `?${query}` : ''}`);
      ctx.out(ctx.json ? jobs : renderJobs(jobs));
    });
}
