import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliIo, contextOf } from '../context';
import { describeSource, formatDuration, formatTime, table } from '../format';
import { CliError } from '../gateway-client';
import { resolvePolicyId } from '../policy-ids';
import type { Policy } from '../types';

/** Retention as "last 7, daily 14, weekly 8": the GFS counts that are set. */
export function describeRetention(retention: Policy['retention'] | undefined): string {
  const parts = Object.entries(retention ?? {})
    .filter(([, n]) => n !== undefined && n !== null && n > 0)
    .map(([key, n]) => `${key.replace(/^keep/, '').toLowerCase()} ${n}`);
  return parts.length ? parts.join(', ') : 'keep all';
}

export function renderPolicies(policies: Policy[]): string {
  if (policies.length === 0) return 'no policies (create one with "arca policies create --file policy.json")';
  return table(['id', 'name', 'v', 'schedule', 'window', 'RPO', 'retention', 'source'], policies.map((p) => [
    p.id.slice(0, 8), p.name, String(p.version), `${p.schedule.cron} (${p.schedule.timezone})`,
    p.backupWindow ? `${p.backupWindow.start}-${p.backupWindow.end}` : 'any time', `${p.rpoMinutes} min`, describeRetention(p.retention), describeSource(p.source),
  ]));
}

export function renderPolicy(p: Policy): string {
  return [
    `policy    ${p.name} (version ${p.version})`,
    `id        ${p.id}`,
    `source    ${describeSource(p.source)}`,
    `schedule  ${p.schedule.cron} in ${p.schedule.timezone}${p.backupWindow ? `, only between ${p.backupWindow.start} and ${p.backupWindow.end}` : ''}`,
    `RPO       ${p.rpoMinutes} minutes`,
    `retention ${describeRetention(p.retention)}`,
    ...(p.bandwidthLimitBytesPerSec ? [`bandwidth ${p.bandwidthLimitBytesPerSec} bytes/s`] : []),
    // Absent means yes: replication copies every policy's snapshots unless it says replicate: false.
    `replicate ${p.replicate === false ? 'no' : p.replicaSites?.length ? `to ${p.replicaSites.join(', ')}` : 'yes'}`,
    `updated   ${formatTime(p.updatedAt)}`,
  ].join('\n');
}

/** Reads a policy spec from a JSON file (or "-" for stdin), naming the file and the JSON error on failure. */
export function readPolicyFile(file: string, cwd: string, readStdin: () => string = () => readFileSync(0, 'utf8')): unknown {
  let text: string;
  try {
    text = file === '-' ? readStdin() : readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export function policiesCommand(io: CliIo): Command {
  const policies = new Command('policies').description('list, show, create and delete backup policies');
  const resolve = async (ctx: ReturnType<typeof contextOf>, given: string) => resolvePolicyId(given, await ctx.client.get<Policy[]>('/policies'));

  policies.command('list')
    .description('all policies')
    .option('--json', 'print the policies as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const list = await ctx.client.get<Policy[]>('/policies');
      ctx.out(ctx.json ? list : renderPolicies(list));
    });

  policies.command('show')
    .description('one policy in full')
    .argument('<policy>', 'id, unique id prefix or name')
    .option('--json', 'print the policy as JSON')
    .action(async (given: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const policy = await ctx.client.get<Policy>(`/policies/${await resolve(ctx, given)}`);
      ctx.out(ctx.json ? policy : renderPolicy(policy));
    });

  policies.command('create')
    .description('create a policy from a JSON spec (name, source, schedule, rpoMinutes, retention, …)')
    .requiredOption('--file <policy.json>', 'the policy spec as JSON ("-" reads standard input)')
    .option('--json', 'print the created policy as JSON')
    .addHelpText('after', '\nExample policy.json:\n'
      + '  { "name": "home", "source": { "kind": "directory", "path": "/home" },\n'
      + '    "schedule": { "cron": "0 2 * * *", "timezone": "Europe/Paris" },\n'
      + '    "backupWindow": { "start": "01:00", "end": "05:00" },\n'
      + '    "rpoMinutes": 1440, "retention": { "keepLast": 7, "keepDaily": 14, "keepWeekly": 8 } }')
    .action(async (options: { file: string }, command: Command) => {
      const ctx = contextOf(command, io);
      const created = await ctx.client.post<Policy>('/policies', readPolicyFile(options.file, io.cwd()));
      ctx.out(ctx.json ? created : `created policy ${created.name} (${created.id})`);
    });

  policies.command('update')
    .description('replace a policy\'s spec (its version goes up by one)')
    .argument('<policy>', 'id, unique id prefix or name')
    .requiredOption('--file <policy.json>', 'the whole new spec as JSON ("-" reads standard input)')
    .option('--json', 'print the updated policy as JSON')
    .action(async (given: string, options: { file: string }, command: Command) => {
      const ctx = contextOf(command, io);
      const id = await resolve(ctx, given);
      const updated = await ctx.client.json<Policy>('PUT', `/policies/${id}`, readPolicyFile(options.file, io.cwd()));
      ctx.out(ctx.json ? updated : `updated policy ${updated.name} to version ${updated.version}`);
    });

  policies.command('verify-restore')
    .description("test restore now: restore a random sample of the policy's newest snapshot to scratch, verify every byte, time it, remove it")
    .argument('<policy>', 'id, unique id prefix or name')
    .option('--sample <files>', 'how many files to restore (0: the whole snapshot)', '100')
    .option('--snapshot <id>', 'a snapshot of the policy instead of its newest (full id)')
    .option('--json', 'print the finished job as JSON')
    .action(async (given: string, options: { sample: string; snapshot?: string }, command: Command) => {
      const ctx = contextOf(command, io);
      const id = await resolve(ctx, given);
      const sample = Number(options.sample);
      if (!Number.isInteger(sample) || sample < 0) throw new CliError(`--sample must be a whole number of files (0: the whole snapshot), not "${options.sample}"`);
      const { jobId } = await ctx.client.post<{ jobId: string }>(`/policies/${id}/verify-restore`, { sample, ...(options.snapshot ? { snapshotId: options.snapshot } : {}) });
      const job = await ctx.follow(jobId);
      const stats = (job.stats ?? {}) as { files?: number; durationMs?: number; estimatedFullRestoreMs?: number; snapshotId?: string };
      ctx.out(ctx.json ? job : `test restore ${jobId} passed: ${stats.files ?? 0} file(s) of snapshot ${stats.snapshotId ?? '?'} restored and verified in ${formatDuration(stats.durationMs)}; the whole snapshot would take about ${formatDuration(stats.estimatedFullRestoreMs)}`);
    });

  policies.command('delete')
    .description('delete a policy (its snapshots stay until pruned)')
    .argument('<policy>', 'id, unique id prefix or name')
    .action(async (given: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const id = await resolve(ctx, given);
      await ctx.client.delete(`/policies/${id}`);
      ctx.out(ctx.json ? { deleted: id } : `deleted policy ${id}`);
    });

  return policies;
}
