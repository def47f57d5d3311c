import { Command, InvalidArgumentError } from 'commander';
import { CliIo, contextOf } from '../context';
import { formatBytes, formatDuration } from '../format';
import { CliError } from '../gateway-client';
import type { CheckRepair, CheckStats } from '../types';

export function parsePercent(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('a whole number from 1 to 100');
  return n;
}

/** Each damaged chunk with everything it affects: full snapshot ids, so they can be pasted into other commands. */
export function renderDamage(stats: CheckStats): string {
  if (stats.damaged.length === 0) return 'no damage found';
  return stats.damaged.map((d) => [
    // A snapshot whose manifest cannot be read is damage without a chunk id.
    d.chunkId ? `DAMAGED chunk ${d.chunkId} in ${d.packKey || '(missing pack)'}${d.reason ? `: ${d.reason}` : ''}` : `DAMAGED snapshot manifest${d.reason ? `: ${d.reason}` : ''}`,
    `  snapshots: ${d.snapshots.length ? d.snapshots.join(', ') : '(none)'}`,
    `  files: ${d.files.length ? d.files.join(', ') : '(none)'}`,
  ].join('\n')).join('\n');
}

/** Damaged copies that a backup after a repair replaced: restores no longer read them. */
export function renderSuperseded(superseded: NonNullable<CheckStats['superseded']>): string {
  return superseded.map((s) => `REPLACED damaged copy of chunk ${s.chunkId} in ${s.packKey}: restores read ${s.indexedIn}`).join('\n');
}

/** Packs no snapshot references: not damage (the check still passes), space a prune can reclaim. */
export function renderUnreferenced(unreferenced: NonNullable<CheckStats['unreferenced']>): string {
  const listed = unreferenced.keys.map((k) => `UNREFERENCED ${k}`);
  const more = unreferenced.count > unreferenced.keys.length ? [`… and ${unreferenced.count - unreferenced.keys.length} more`] : [];
  return [
    `${unreferenced.count} pack(s), ${formatBytes(unreferenced.bytes)}, hold no chunk any snapshot references (left by failed or interrupted backups); they are kept until a prune reclaims them`,
    ...listed, ...more,
  ].join('\n');
}

/** What a repair forgot, and which snapshots and files stay damaged. */
export function renderRepair(repair: CheckRepair): string {
  return [
    `REPAIRED: ${repair.forgotten.length} chunk(s) removed from the dedupe index${repair.forgotten.length ? `: ${repair.forgotten.join(', ')}` : ''}`,
    ...repair.damagedSnapshots.map((s) => `STILL DAMAGED snapshot ${s.snapshotId}: ${s.files.join(', ')}`),
    repair.note,
  ].join('\n');
}

export function checkCommand(io: CliIo): Command {
  return new Command('check')
    .description('read packs back and verify the chunks snapshots reference; exit 1 if any is damaged')
    .option('--percent <n>', 'share of packs to read (1-100)', parsePercent, 100)
    .option('--repair', 'then remove damaged and missing chunks from the dedupe index, so the next backup stores them again')
    .option('--site <site>', 'read back the packs of the "primary" (default) or the "replica" site')
    .option('--json', 'print the finished job as JSON')
    .action(async (options: { percent: number; repair?: boolean; site?: string }, command: Command) => {
      const ctx = contextOf(command, io);
      if (options.site && options.site !== 'primary' && options.site !== 'replica') throw new CliError(`--site must be "primary" or "replica", got "${options.site}"`);
      const { jobId } = await ctx.client.post<{ jobId: string }>('/check', { percent: options.percent, ...(options.repair ? { repair: true } : {}), ...(options.site ? { site: options.site } : {}) });
      const job = await ctx.follow(jobId);
      const stats = { packsChecked: 0, chunksChecked: 0, damaged: [], ...(job.stats as Partial<CheckStats>) } as CheckStats;
      if (ctx.json) ctx.out(job);
      else {
        ctx.note(`checked ${stats.packsChecked} packs (${options.percent}%)${options.site === 'replica' ? ' at the replica site' : ''}, ${stats.chunksChecked} chunks in ${formatDuration(stats.durationMs)}`);
        ctx.out(renderDamage(stats));
        if (stats.superseded?.length) ctx.out(renderSuperseded(stats.superseded));
        if (stats.repair) ctx.out(renderRepair(stats.repair));
        if (stats.unreferenced) ctx.out(renderUnreferenced(stats.unreferenced));
      }
      // The report is on stdout either way; the exit code (and one line on stderr) tell scripts and cron.
      if (stats.damaged.length > 0) {
        const snapshots = new Set(stats.damaged.flatMap((d) => d.snapshots)).size;
        const repaired = stats.repair ? `; ${stats.repair.forgotten.length} chunk(s) forgotten, so the next backup stores them again` : '';
        throw new CliError(`${stats.damaged.length} damaged chunk(s) affecting ${snapshots} snapshot(s); files that use them cannot be restored${repaired}`);
      }
    });
}
