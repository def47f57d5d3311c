import { SingleBar } from 'cli-progress';
import { formatBytes, formatDuration } from './format';
import { CliError, GatewayClient } from './gateway-client';

export interface Job {
  jobId: string;
  kind: 'backup' | 'restore' | 'check';
  status: 'requested' | 'running' | 'completed' | 'failed';
  snapshotId?: string | null;
  progress?: { files?: number; bytesRead?: number; bytesWritten?: number; totalBytes?: number; currentPath?: string } | null;
  stats?: Record<string, unknown> | null;
  error?: string | null;
}

/**
 * Polls a job until it ends, drawing a progress bar (bytes, files, rate, ETA) on stderr when it
 * is a terminal. Resolves with the finished job; a failed job becomes a CliError with its reason.
 */
export async function followJob(client: GatewayClient, jobId: string, options: { showProgress: boolean; intervalMs?: number; timeoutMs?: number; appearWithinMs?: number }): Promise<Job> {
  const started = Date.now();
  let bar: SingleBar | undefined;
  try {
    for (;;) {
      let job: Job;
      try {
        job = await client.get<Job>(`/jobs/${jobId}`);
      } catch (error) {
        // A job becomes visible once its request event has been consumed, a moment after it was accepted.
        if (error instanceof CliError && /not found/.test(error.message) && Date.now() - started < (options.appearWithinMs ?? 30_000)) {
          await new Promise((r) => setTimeout(r, options.intervalMs ?? 300));
          continue;
        }
        throw error;
      }
      if (job.status === 'completed' || job.status === 'failed') {
        bar?.update(bar.getTotal(), {});
        if (job.status === 'failed') throw new CliError(`${job.kind} job ${jobId} failed: ${job.error ?? 'no reason given'}`);
        return job;
      }
      if (options.showProgress && job.progress) {
        const done = job.progress.bytesRead ?? job.progress.bytesWritten ?? 0;
        const total = Math.max(job.progress.totalBytes ?? 0, done, 1);
        if (!bar) {
          bar = new SingleBar({
            format: ' {bar} {percentage}% | {doneH} of {totalH} | {files} files | {rate}/s | ETA {eta_h}',
            hideCursor: true, stream: process.stderr, barsize: 30,
          });
          bar.start(total, 0, {});
        }
        const elapsed = (Date.now() - started) / 1000;
        const rate = done / Math.max(elapsed, 0.001);
        bar.setTotal(total);
        bar.update(done, {
          doneH: formatBytes(done), totalH: formatBytes(total), files: job.progress.files ?? 0, rate: formatBytes(rate),
          eta_h: rate > 0 ? formatDuration(((total - done) / rate) * 1000) : '-',
        });
      }
      if (options.timeoutMs && Date.now() - started > options.timeoutMs) throw new CliError(`job ${jobId} did not finish within ${formatDuration(options.timeoutMs)}`);
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 300));
    }
  } finally {
    bar?.stop();
  }
}
