import { Command } from 'commander';
import { Readable } from 'node:stream';
import { planBackup, type BackupOptions } from '../backup-plan';
import { CliIo, contextOf } from '../context';
import { CliError } from '../gateway-client';
import { formatBytes, formatDedupe, formatDuration, formatRate } from '../format';
import { resolvePolicyId } from '../policy-ids';
import type { BackupStats, Job, Policy } from '../types';

/** The one-line outcome printed on stderr beside the snapshot id on stdout. */
export function backupSummary(job: Job): string {
  const s = (job.stats ?? {}) as Partial<BackupStats>;
  // an unchanged source stores nothing new: its dedupe ratio is unbounded, so say it in words
  const dedupe = (s.bytesRead ?? 0) > 0 && s.bytesNew === 0
    ? 'nothing new to store'
    : `dedupe ${formatDedupe({ bytesRead: s.bytesRead ?? 0, bytesNew: s.bytesNew ?? 0, dedupeRatio: s.dedupeRatio })}`;
  return `snapshot ${job.snapshotId?.slice(0, 12) ?? '?'}: ${s.files ?? 0} files, ${formatBytes(s.bytesRead)} read, ${formatBytes(s.bytesNew)} new, `
    + `${formatBytes(s.bytesStored)} stored, ${dedupe}, ${formatDuration(s.durationMs)} at ${formatRate(s.throughputBytesPerSec)}`;
}

/** The entries a finished backup left out, one line each, and how many (0: none). */
export function skippedEntries(job: Job): { count: number; lines: string[] } {
  const s = (job.stats ?? {}) as Partial<BackupStats>;
  const listed = s.skipped ?? [];
  const count = Math.max(s.errors ?? 0, listed.length);
  const lines = listed.map((e) => `  NOT BACKED UP ${e.path}: ${e.reason}`);
  if (count > listed.length) lines.push(`  … and ${count - listed.length} more`);
  return { count, lines };
}

export function backupCommand(io: CliIo): Command {
  return new Command('backup')
    .description('back up a directory, standard input, a PostgreSQL database or a policy\'s source now, and print the snapshot id')
    .argument('[dir]', 'directory to back up (read by the ingest service, which must see the same path)')
    .option('--stdin', 'back up standard input as a named byte stream')
    .option('--name <name>', 'the stream\'s name in the snapshot, with --stdin (default "stdin")')
    .option('--postgres <url>', 'back up a PostgreSQL database through pg_dump (postgres://user:pass@host/db)')
    .option('--policy <id-or-name>', 'run a policy\'s backup now')
    .option('--limit <rate>', 'bandwidth limit, e.g. 512k, 20M (bytes per second)')
    .option('--json', 'print the finished job as JSON instead of the snapshot id')
    .addHelpText('after', '\nExamples:\n  arca backup ~/projects\n  pg_dumpall | arca backup --stdin --name cluster.sql\n  arca backup --policy nightly-home')
    .action(async (dir: string | undefined, options: BackupOptions, command: Command) => {
      const ctx = contextOf(command, io);
      const plan = planBackup(dir, options, io.cwd());
      let jobId: string;
      if (plan.kind === 'stream') {
        // Waiting silently on a terminal looks like a hang; say what --stdin expects instead.
        if ((io.stdin as { isTTY?: boolean }).isTTY) throw new CliError('--stdin backs up piped data, but standard input is a terminal: pipe something in, e.g. pg_dump db | arca backup --stdin --name db.sql');
        const body = Readable.toWeb(io.stdin as Readable) as ReadableStream<Uint8Array>;
        ({ jobId } = await ctx.client.upload<{ jobId: string }>(`/streams?name=${encodeURIComponent(plan.name)}`, body));
      } else if (plan.kind === 'policy') {
        const policyId = resolvePolicyId(plan.policy, await ctx.client.get<Policy[]>('/policies'));
        ({ jobId } = await ctx.client.post<{ jobId: string }>('/jobs', { policyId, bandwidthLimitBytesPerSec: plan.bandwidthLimitBytesPerSec }));
      } else {
        ({ jobId } = await ctx.client.post<{ jobId: string }>('/jobs', { source: plan.source, bandwidthLimitBytesPerSec: plan.bandwidthLimitBytesPerSec }));
      }
      const job = await ctx.follow(jobId);
      const skipped = skippedEntries(job);
      if (ctx.json) ctx.out(job);
      else {
        ctx.note(backupSummary(job));
        for (const line of skipped.lines) ctx.note(line);
        ctx.out(job.snapshotId ?? '');
      }
      // like a restore with failed files: the snapshot exists, but a script must learn it is incomplete
      if (skipped.count > 0) throw new CliError(`${skipped.count} entr${skipped.count === 1 ? 'y' : 'ies'} could not be backed up (the snapshot holds the rest)`);
    });
}
