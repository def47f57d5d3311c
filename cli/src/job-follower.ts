import { formatDuration } from './format';
import { CliError, GatewayClient } from './gateway-client';
import { NO_PROGRESS, ProgressView } from './progress-view';
import type { Job } from './types';

/** A job that ended in failure (or was cancelled, e.g. at its window's end); carries the job so `--json` can still print it. */
export class JobFailedError extends CliError {
  constructor(readonly job: Job) {
    super(`${job.kind} job ${job.jobId} ${job.status === 'cancelled' ? 'was cancelled' : 'failed'}: ${job.error ?? 'no reason given'}`);
  }
}

export interface FollowOptions {
  view?: ProgressView;
  /** Poll interval; the platform reports progress about every second, so 300 ms feels live. */
  intervalMs?: number;
  /** Give up after this long (default: never; backups of big trees take hours). */
  timeoutMs?: number;
  /**
   * How long to ride out a gateway that is briefly unreachable or answering 5xx (a service
   * restarting) before failing: the job itself is unaffected, so giving up at once would be wrong.
   */
  transientGraceMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls GET /jobs/:id until the job completes or fails, feeding each state to the progress view.
 * Resolves with the completed job; a failed job rejects with a JobFailedError naming its reason.
 */
export async function followJob(client: GatewayClient, jobId: string, options: FollowOptions = {}): Promise<Job> {
  const view = options.view ?? NO_PROGRESS;
  const interval = options.intervalMs ?? 300;
  const grace = options.transientGraceMs ?? 30_000;
  const started = Date.now();
  let troubleSince: number | undefined;
  try {
    for (;;) {
      let job: Job | undefined;
      try {
        job = await client.get<Job>(`/jobs/${encodeURIComponent(jobId)}`);
        troubleSince = undefined;
      } catch (error) {
        // 404: the job's request event has not reached the read model yet (a moment after 202).
        // No status or 5xx: the gateway or a service behind it is restarting. Both pass; others do not.
        const status = error instanceof CliError ? error.status : undefined;
        const transient = error instanceof CliError && (status === undefined || status === 404 || status >= 500);
        troubleSince ??= Date.now();
        if (!transient || Date.now() - troubleSince >= grace) throw error;
      }
      if (job) {
        view.update(job);
        if (job.status === 'failed' || job.status === 'cancelled') throw new JobFailedError(job);
        if (job.status === 'completed') return job;
      }
      if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
        throw new CliError(`job ${jobId} did not finish within ${formatDuration(options.timeoutMs)}; it keeps running (see "arca jobs")`);
      }
      await sleep(interval);
    }
  } finally {
    view.stop();
  }
}
