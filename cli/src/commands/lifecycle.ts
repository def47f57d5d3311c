import { Command, InvalidArgumentError } from 'commander';
import { CliIo, contextOf } from '../context';
import { formatBytes, formatDuration } from '../format';
import { resolvePolicyId } from '../policy-ids';
import { lookUpSnapshot } from './snapshot-lookup';

/** What retention decided for one policy (GET /policies/:id/retention/preview, POST /policies/:id/forget). */
export interface RetentionPlan {
  policyId: string;
  dryRun: boolean;
  keep: Array<{ snapshotId: string; time: string; reasons: string[] }>;
  forget: Array<{ snapshotId: string; time: string }>;
}

export function renderRetention(plan: RetentionPlan): string {
  const verb = plan.dryRun ? 'would forget' : 'forgot';
  return [
    ...plan.keep.map((k) => `keep    ${k.snapshotId.slice(0, 12)}  ${k.time}  ${k.reasons.join(', ')}`),
    ...plan.forget.map((f) => `forget  ${f.snapshotId.slice(0, 12)}  ${f.time}`),
    `${verb} ${plan.forget.length} snapshot(s), kept ${plan.keep.length}${plan.forget.length > 0 && !plan.dryRun ? ' (run "arca prune" to reclaim their space)' : ''}`,
  ].join('\n');
}

/** What a prune did (prune.completed), for people. */
export interface PruneStats {
  dryRun: boolean;
  packsDeleted: number;
  packsRewritten: number;
  packsWritten: number;
  orphansDeleted: number;
  packsRescued: number;
  packsLocked: number;
  bytesFreed: number;
  bytesWritten: number;
  bytesUnused: number;
  bytesStored: number;
  snapshotsPurgedCount: number;
  durationMs: number;
}

export function renderPrune(s: PruneStats): string {
  const would = s.dryRun ? 'would be ' : '';
  return [
    `${s.packsDeleted} pack(s) ${would}deleted, ${s.packsRewritten} ${would}rewritten into ${s.dryRun ? 'new packs' : `${s.packsWritten} new one(s)`}${s.orphansDeleted ? `, ${s.orphansDeleted} orphan object(s)` : ''}`,
    `${formatBytes(s.bytesFreed)} ${s.dryRun ? 'would be ' : ''}freed${s.bytesWritten ? ` (${formatBytes(s.bytesWritten)} rewritten)` : ''}; ${formatBytes(s.bytesStored)} stored, ${formatBytes(s.bytesUnused)} of it unused`,
    ...(s.packsRescued ? [`${s.packsRescued} pack(s) kept because backups running during the prune came to use them`] : []),
    ...(s.packsLocked ? [`${s.packsLocked} pack(s) kept by object lock until their retention dates`] : []),
    ...(s.snapshotsPurgedCount ? [`${s.snapshotsPurgedCount} forgotten snapshot manifest(s) removed`] : []),
    `took ${formatDuration(s.durationMs)}`,
  ].join('\n');
}

function parseUnused(text: string): number {
  const n = Number(text.replace(/%$/, ''));
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('a whole percentage from 0 to 100');
  return n;
}

export function forgetCommand(io: CliIo): Command {
  return new Command('forget')
    .description("apply a policy's retention rules: forget the snapshots no rule keeps (space comes back with arca prune)")
    .requiredOption('--policy <id|name>', 'the policy')
    .option('--dry-run', 'list what would be forgotten, and why each kept snapshot stays')
    .option('--json', 'print the decision as JSON')
    .action(async (options: { policy: string; dryRun?: boolean }, command: Command) => {
      const ctx = contextOf(command, io);
      const policyId = resolvePolicyId(options.policy, await ctx.client.get<Array<{ id: string; name: string }>>('/policies'));
      const plan = await ctx.client.post<RetentionPlan>(`/policies/${policyId}/forget`, options.dryRun ? { dryRun: true } : {});
      ctx.out(ctx.json ? plan : renderRetention(plan));
    });
}

export function pruneCommand(io: CliIo): Command {
  return new Command('prune')
    .description('reclaim space: delete packs no snapshot references and rewrite mostly unused ones (safe beside running backups)')
    .option('--dry-run', 'report what would be deleted and rewritten, change nothing')
    .option('--max-unused <percent>', 'unused space tolerated after the prune, percent of the bytes stored', parseUnused, 5)
    .option('--json', 'print the finished job as JSON')
    .action(async (options: { dryRun?: boolean; maxUnused: number }, command: Command) => {
      const ctx = contextOf(command, io);
      const { jobId } = await ctx.client.post<{ jobId: string }>('/prune', { maxUnusedPercent: options.maxUnused, ...(options.dryRun ? { dryRun: true } : {}) });
      const job = await ctx.follow(jobId);
      ctx.out(ctx.json ? job : renderPrune(job.stats as unknown as PruneStats));
    });
}

export function holdCommand(io: CliIo): Command {
  return new Command('hold')
    .description('place a legal hold on a snapshot (never forgotten or pruned), or --release it')
    .argument('<snapshot>', 'snapshot id or unique prefix')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .option('--release', 'release the hold instead')
    .option('--json', 'print the snapshot as JSON')
    .action(async (given: string, options: { reason: string; release?: boolean }, command: Command) => {
      const ctx = contextOf(command, io);
      const id = await lookUpSnapshot(ctx.client, given);
      const snapshot = options.release
        ? await ctx.client.json<{ id: string }>('DELETE', `/snapshots/${id}/hold`, { reason: options.reason })
        : await ctx.client.post<{ id: string; heldBy: string }>(`/snapshots/${id}/hold`, { reason: options.reason });
      ctx.out(ctx.json ? snapshot : `${options.release ? 'released the hold on' : 'held'} snapshot ${snapshot.id}`);
    });
}
