import { Command } from 'commander';
import path from 'node:path';
import { CliIo, contextOf } from '../context';
import { formatBytes, formatDuration } from '../format';
import { CliError } from '../gateway-client';
import type { RestoreStats } from '../types';
import { lookUpSnapshot } from './snapshot-lookup';

/** Snapshot paths are absolute inside the snapshot; accept "docs/a.txt" as "/docs/a.txt". */
export function snapshotPaths(paths: string[] | undefined): string[] | undefined {
  if (!paths?.length) return undefined;
  return paths.map((p) => (p.startsWith('/') ? p : `/${p}`).replace(/\/+$/, '') || '/');
}

export function restoreCommand(io: CliIo): Command {
  return new Command('restore')
    .description('restore a snapshot, or some of its paths, into a directory')
    .argument('<snapshot>', 'snapshot id or unique prefix')
    .requiredOption('--target <dir>', 'directory to restore into (created if missing; made absolute here)')
    .option('--path <path...>', 'restore only these files or directories of the snapshot (repeatable)')
    .option('--from <site>', 'read from the "primary" (default) or the "replica" site, e.g. when the primary is gone')
    .option('--json', 'print the finished job as JSON')
    .addHelpText('after', '\nExample:\n  arca restore 3fa9c1 --target /tmp/out --path /docs /etc/hosts')
    .action(async (given: string, options: { target: string; path?: string[]; from?: string }, command: Command) => {
      if (options.from && options.from !== 'primary' && options.from !== 'replica') throw new CliError(`--from must be "primary" or "replica", got "${options.from}"`);
      const ctx = contextOf(command, io);
      const id = await lookUpSnapshot(ctx.client, given);
      // The restore runs in the ingest service: a relative target would mean its working directory, not ours.
      const target = path.resolve(io.cwd(), options.target);
      const { jobId } = await ctx.client.post<{ jobId: string }>(`/snapshots/${id}/restore`, { target, paths: snapshotPaths(options.path), ...(options.from ? { site: options.from } : {}) });
      const job = await ctx.follow(jobId);
      const s = (job.stats ?? {}) as Partial<RestoreStats>;
      const failed = s.failedFiles ?? [];
      if (ctx.json) ctx.out(job);
      else {
        ctx.note(`restored ${s.files ?? 0} files and ${s.dirs ?? 0} directories, ${formatBytes(s.bytesWritten)}, from ${id.slice(0, 12)} into ${target} in ${formatDuration(s.durationMs)}`);
        for (const f of failed) ctx.io.stderr.write(`  FAILED ${f.path}: ${f.reason}\n`);
      }
      if (failed.length) throw new CliError(`${failed.length} file(s) could not be restored (the others were); run "arca check" to see the damage`);
    });
}
