import { Command, InvalidArgumentError, Option } from 'commander';
import { CliIo, contextOf } from '../context';
import { describeSource, formatBytes, formatDuration, formatTime, table } from '../format';
import { CliError } from '../gateway-client';
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

/** One job in full (`arca jobs show`): its trace, why it failed, and its events in order with the service and duration of each. */
export function renderJob(job: Job): string {
  const lines = [
    `job       ${job.jobId} (${job.kind})`,
    `status    ${job.status}${(job.attempt ?? 1) > 1 ? `, attempt ${job.attempt}${job.retryOf ? ` (retry of ${job.retryOf})` : ''}` : ', attempt 1'}`,
    ...(job.kind === 'backup' ? [`source    ${describeSource(job.source)}`] : []),
    `trace     ${job.traceId ?? 'none recorded'}${job.traceUrl ? `  ${job.traceUrl}` : ''}`,
    ...(job.failure ? [`${job.failure.stage === 'cancelled' ? 'cancelled' : 'failed'}    in ${job.failure.service}${job.failure.stage !== 'failed' && job.failure.stage !== 'cancelled' ? ` (stage ${job.failure.stage})` : ''}: ${job.failure.error}`] : []),
    ...(!job.failure && jobDetail(job) ? [`detail    ${jobDetail(job)}`] : []),
  ];
  const timeline = job.timeline ?? [];
  if (timeline.length === 0) return [...lines, '', 'no events recorded yet'].join('\n');
  const rows = timeline.map((e) => [formatTime(e.at), e.service, e.events > 1 ? `${e.type} ×${e.events}` : e.type, e.durationMs === null ? '' : formatDuration(e.durationMs)]);
  return [...lines, '', table(['time', 'service', 'event', 'duration'], rows)].join('\n');
}

/** A job id, or a unique prefix of one among the recent jobs (as `arca jobs` shows them). */
async function resolveJobId(ctx: ReturnType<typeof contextOf>, given: string): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(given)) return given;
  const matches = (await ctx.client.get<Job[]>('/jobs?limit=1000')).filter((j) => j.jobId.startsWith(given.toLowerCase()));
  if (matches.length === 1) return matches[0].jobId;
  throw new CliError(matches.length === 0 ? `no recent job id starts with "${given}"` : `"${given}" is the start of ${matches.length} job ids; give more of it`);
}

export function jobsCommand(io: CliIo): Command {
  const show = new Command('show')
    .description("one job: its trace id and link, the failing service and its error, its attempt, and its events in order with each one's service, time and duration")
    .argument('<id>', 'job id, or a unique prefix of a recent one')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const job = await ctx.client.get<Job>(`/jobs/${encodeURIComponent(await resolveJobId(ctx, id))}`);
      ctx.out(ctx.json ? job : renderJob(job));
    });
  return new Command('jobs')
    .description('recent backup, restore and check jobs, newest first')
    .addOption(new Option('--kind <kind>', 'only jobs of this kind').choices(['backup', 'restore', 'check', 'prune', 'recover']))
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
    })
    .addCommand(show);
}
