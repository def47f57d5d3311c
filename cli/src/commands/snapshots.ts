import { Command } from 'commander';
import { CliIo, contextOf } from '../context';
import { describeSource, formatBytes, formatDedupe, formatTime, table } from '../format';
import { resolvePolicyId } from '../policy-ids';
import type { Policy, Snapshot } from '../types';

export function renderSnapshots(snapshots: Snapshot[]): string {
  if (snapshots.length === 0) return 'no snapshots yet (make one with "arca backup DIR")';
  return table(['id', 'time', 'source', 'files', 'read', 'new', 'stored', 'dedupe'], snapshots.map((s) => [
    s.id.slice(0, 12), formatTime(s.time), describeSource(s.source ?? s), String(s.stats.files),
    formatBytes(s.stats.bytesRead), formatBytes(s.stats.bytesNew), formatBytes(s.stats.bytesStored), formatDedupe(s.stats),
  ]));
}

export function snapshotsCommand(io: CliIo): Command {
  return new Command('snapshots')
    .description('list snapshots, newest first, with what each read, added and stored')
    .option('--policy <id-or-name>', 'only the snapshots of this policy')
    .option('--json', 'print the snapshots as a JSON array')
    .action(async (options: { policy?: string }, command: Command) => {
      const ctx = contextOf(command, io);
      const policyId = options.policy ? resolvePolicyId(options.policy, await ctx.client.get<Policy[]>('/policies')) : undefined;
      const snapshots = await ctx.client.get<Snapshot[]>(`/snapshots${policyId ? `?policyId=${encodeURIComponent(policyId)}` : ''}`);
      ctx.out(ctx.json ? snapshots : renderSnapshots(snapshots));
    });
}
