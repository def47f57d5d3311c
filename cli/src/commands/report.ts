import { Command } from 'commander';
import { CliIo, contextOf } from '../context';
import { formatBytes, formatDuration, formatPercent, formatRatio, formatTime, table } from '../format';
import type { Summary } from '../types';

/** "12.5 min", "3.2 h", "2.1 d": RPO ages span minutes to weeks. */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return 'never';
  if (minutes < 90) return `${minutes.toFixed(minutes < 10 ? 1 : 0)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} d`;
}

export function renderReport(r: Summary): string {
  const stored = r.usage?.repository?.bytesStored ?? r.storage.bytesStored;
  const packs = r.usage?.repository?.packs ?? r.storage.packs;
  const lines = [
    `backups      ${r.jobs.completed} completed, ${r.jobs.failed} failed${r.jobs.cancelled ? `, ${r.jobs.cancelled} cancelled` : ''} of ${r.jobs.total} (success rate ${formatPercent(r.jobs.successRate)})`,
    `storage      ${formatBytes(stored)} stored${packs !== undefined ? ` in ${packs} packs` : ''}${r.storage.bytesRead !== undefined ? `, ${formatBytes(r.storage.bytesRead)} backed up` : ''}`,
    `dedupe       ${formatRatio(r.dedupeRatio)}${r.compressionRatio ? `, compression ${formatRatio(r.compressionRatio)}` : ''}`,
  ];
  if (r.replication && (r.replication.completed || r.replication.failed)) {
    lines.push(`replication  ${r.replication.completed ?? 0} copied, ${r.replication.failed ?? 0} failed, lag avg ${formatDuration(r.replication.avgLagMs)} max ${formatDuration(r.replication.maxLagMs)}`);
  }
  // Each replica site now: how far behind it is, and since when its copies fail.
  for (const site of r.replication?.sites ?? []) {
    const behind = site.snapshotsPending === 0 ? 'up to date' : `${site.snapshotsPending} snapshot(s), ${formatBytes(site.bytesPending)} not yet copied, lag ${formatDuration(site.lagSeconds * 1000)}`;
    lines.push(`site ${site.site}  ${behind}${site.failingSince ? `; copies failing since ${formatTime(site.failingSince)} (retried)` : ''}`);
  }
  lines.push('');
  if (r.rpo.length === 0) lines.push('no policies, so no RPO to report');
  else {
    lines.push(table(['policy', 'RPO', 'last success', 'age', 'compliant'], r.rpo.map((p) => [
      p.name, formatMinutes(p.rpoMinutes), p.lastSuccessAt ? formatTime(p.lastSuccessAt) : 'never', formatMinutes(p.ageMinutes), p.compliant ? 'yes' : p.breachedAt ? `NO (since ${formatTime(p.breachedAt)})` : 'NO',
    ])));
  }
  return lines.join('\n');
}

export function reportCommand(io: CliIo): Command {
  return new Command('report')
    .description('success rate, storage used, dedupe ratio and RPO compliance per policy')
    .option('--json', 'print the summary as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const summary = await ctx.client.get<Summary>('/reports/summary');
      ctx.out(ctx.json ? summary : renderReport(summary));
    });
}
