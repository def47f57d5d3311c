import { Command } from 'commander';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { CliIo, contextOf } from '../context';
import { CliError } from '../gateway-client';
import { formatBytes, formatDuration, formatPercent, formatRatio, formatTime, table } from '../format';
import type { ComplianceReport, JobsDaily, StorageDaily, StorageForecast, Summary } from '../types';

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

/** The compliance report at a terminal: a row per policy, then each breach with its causes. */
export function renderCompliance(r: ComplianceReport): string {
  const lines = [`compliance ${formatTime(r.from)} to ${formatTime(r.to)} (tenant ${r.tenant})`, ''];
  if (r.policies.length === 0) lines.push('no policies in this period');
  else {
    lines.push(table(['policy', 'RPO', 'RPO met', 'breaches', 'in breach', 'backups ok', 'failed', 'immutable'], r.policies.map((p) => [
      p.name, formatMinutes(p.rpoMinutes), formatPercent(p.rpo.metShare), String(p.rpo.breaches.length), formatDuration(p.rpo.breachedMs),
      String(p.backups.completed), String(p.backups.failed), p.immutable ? 'yes' : 'no',
    ])));
    for (const p of r.policies) {
      for (const b of p.rpo.breaches) {
        const causes = b.causes.length ? b.causes.map((c) => `job ${c.jobId} failed: ${c.error ?? 'no reason recorded'}`).join('; ') : 'no backup ran';
        lines.push(`${p.name}: breached ${formatTime(b.from)} to ${b.to ? formatTime(b.to) : 'the end of the period'} (${formatDuration(b.durationMs)}): ${causes}`);
      }
    }
  }
  for (const p of r.policies) {
    const t = p.lastTestRestore;
    const rto = p.rto.targetMinutes === null ? '' : `; RTO target ${p.rto.targetMinutes} min, ${p.rto.observedMinutes === null ? 'not measured' : `observed ${p.rto.observedMinutes} min: ${p.rto.met ? 'met' : 'BREACHED'}`}`;
    const rtoBreaches = p.rto.breaches?.length ? `; ${p.rto.breaches.length} RTO breach(es): ${p.rto.breaches.map((b) => `${formatTime(b.at)} ${b.measuredMinutes} min${b.restoredAt ? ` until ${formatTime(b.restoredAt)}` : ''}`).join(', ')}` : '';
    lines.push(`${p.name}: last test restore ${t ? `${formatTime(t.at)} ${t.status === 'completed' ? `passed (${t.files ?? 0} files)` : `FAILED: ${t.error ?? 'no reason recorded'}`}` : 'none'}${rto}${rtoBreaches}`);
  }
  lines.push('', `last clean check  ${r.lastCleanCheck ? formatTime(r.lastCleanCheck.at) : 'none'}`);
  return lines.join('\n');
}

/** A period's query string from the options the report subcommands share. */
function periodQuery(options: { from?: string; to?: string; policy?: string }, extra: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries({ from: options.from, to: options.to, policy: options.policy, ...extra })) if (v !== undefined) query.set(k, v);
  return query.size ? `?${query}` : '';
}

/** Rows as CSV (the header from the first row's keys), for the reports the gateway gives as JSON only. */
function csvOf(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '';
  const cell = (v: unknown) => { const t = v === null || v === undefined ? '' : String(v); return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t; };
  const keys = Object.keys(rows[0]);
  return [keys.join(','), ...rows.map((r) => keys.map((k) => cell(r[k])).join(','))].join('\r\n');
}

export function reportCommand(io: CliIo): Command {
  const report = new Command('report')
    .description('success rate, storage used, dedupe ratio and RPO compliance per policy; subcommands for the reports auditors ask for')
    .option('--json', 'print the summary as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const summary = await ctx.client.get<Summary>('/reports/summary');
      ctx.out(ctx.json ? summary : renderReport(summary));
    });

  report.command('compliance')
    .description('per policy over a period (default the last 90 days): RPO met, each breach and its causes, retention, immutability, last clean check')
    .option('--from <date>', 'start of the period: 2026-10-01 (midnight UTC) or a time with its zone')
    .option('--to <date>', 'end of the period (not included); default now')
    .option('--policy <id>', 'one policy only')
    .option('--json', 'print the report as JSON')
    .option('--csv', 'print the report as CSV (a row per policy)')
    .option('--pdf', 'write the report as PDF to stdout (redirect it to a file)')
    .action(async (options: { from?: string; to?: string; policy?: string; csv?: boolean; pdf?: boolean }, command: Command) => {
      const ctx = contextOf(command, io);
      const format = options.pdf ? 'pdf' : options.csv ? 'csv' : undefined;
      if (format) {
        if (format === 'pdf' && (io.stdout as { isTTY?: boolean }).isTTY) throw new CliError('--pdf writes a PDF to stdout: redirect it to a file (arca report compliance --pdf > report.pdf)');
        const body = await ctx.client.download(`/reports/compliance${periodQuery(options, { format })}`);
        await pipeline(Readable.fromWeb(body as ReadableStream), io.stdout, { end: false });
        return;
      }
      const r = await ctx.client.get<ComplianceReport>(`/reports/compliance${periodQuery(options)}`);
      ctx.out(ctx.json ? r : renderCompliance(r));
    });

  report.command('jobs-daily')
    .description('backups per policy per day (UTC) over a period: outcomes, time spent and bytes')
    .option('--from <date>', 'start of the period (default 90 days ago)')
    .option('--to <date>', 'end of the period (not included); default now')
    .option('--policy <id>', 'one policy only')
    .option('--json', 'print the rows as JSON')
    .option('--csv', 'print the rows as CSV')
    .action(async (options: { from?: string; to?: string; policy?: string; csv?: boolean }, command: Command) => {
      const ctx = contextOf(command, io);
      // Page through the whole period (1,000 rows a request), so the CSV is complete however long it is.
      const rows: JobsDaily['rows'] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await ctx.client.get<JobsDaily>(`/reports/jobs-daily${periodQuery(options, { limit: '1000', offset: String(offset) })}`);
        rows.push(...page.rows);
        if (rows.length >= page.total || page.rows.length === 0) break;
      }
      if (options.csv) ctx.out(csvOf(rows as unknown as Array<Record<string, unknown>>));
      else if (ctx.json) ctx.out(rows);
      else ctx.out(rows.length ? table(['day', 'policy', 'ok', 'failed', 'cancelled', 'time', 'read', 'stored'], rows.map((r) => [
        r.day, r.policyName ?? r.policyId ?? '', String(r.completed), String(r.failed), String(r.cancelled), formatDuration(r.durationMs), formatBytes(r.bytesRead), formatBytes(r.bytesStored),
      ])) : 'no backups in this period');
    });

  report.command('storage-daily')
    .description('storage per day (UTC), policy and site over a period: bytes read, new, added, freed and stored, dedupe and compression')
    .option('--from <date>', 'start of the period (default 90 days ago)')
    .option('--to <date>', 'end of the period (not included); default now')
    .option('--policy <id>', 'one policy only')
    .option('--site <site>', 'one site only: primary or a replica site')
    .option('--tenant <tenant>', "another tenant's (callers of the default tenant only)")
    .option('--json', 'print the rows as JSON')
    .option('--csv', 'print the rows as CSV')
    .action(async (options: { from?: string; to?: string; policy?: string; site?: string; tenant?: string; csv?: boolean }, command: Command) => {
      const ctx = contextOf(command, io);
      const rows: StorageDaily['rows'] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await ctx.client.get<StorageDaily>(`/reports/storage-daily${periodQuery(options, { site: options.site, tenant: options.tenant, limit: '1000', offset: String(offset) })}`);
        rows.push(...page.rows);
        if (rows.length >= page.total || page.rows.length === 0) break;
      }
      if (options.csv) ctx.out(csvOf(rows as unknown as Array<Record<string, unknown>>));
      else if (ctx.json) ctx.out(rows);
      else ctx.out(rows.length ? table(['day', 'site', 'policy', 'snapshots', 'read', 'added', 'freed', 'stored', 'dedupe', 'compression'], rows.map((r) => [
        r.day, r.site, r.policyName ?? r.policyId ?? '', String(r.snapshots), formatBytes(r.bytesRead), formatBytes(r.bytesAdded), formatBytes(r.bytesFreed), formatBytes(r.bytesStored),
        formatRatio(r.dedupeRatio), formatRatio(r.compressionRatio),
      ])) : 'no storage recorded in this period');
    });

  report.command('storage-forecast')
    .description('stored bytes per day at a site, the growth per day, and when each quota is reached at that rate')
    .option('--days <n>', 'days of history to fit (2-366)', '30')
    .option('--quota <bytes>', 'a quota to forecast against, in bytes (besides those set with PUT /quotas)')
    .option('--site <site>', 'the site: primary (default) or a replica site')
    .option('--tenant <tenant>', "another tenant's (callers of the default tenant only)")
    .option('--json', 'print the forecast as JSON')
    .action(async (options: { days: string; quota?: string; site?: string; tenant?: string }, command: Command) => {
      const ctx = contextOf(command, io);
      const query = new URLSearchParams({ days: options.days });
      if (options.quota) query.set('quotaBytes', options.quota);
      if (options.site) query.set('site', options.site);
      if (options.tenant) query.set('tenant', options.tenant);
      const f = await ctx.client.get<StorageForecast>(`/reports/storage-forecast?${query}`);
      if (ctx.json) return ctx.out(f);
      const last = f.days.at(-1);
      const reached = (q: { reachedOn: string | null; reached: boolean }) => (q.reached ? `reached on ${q.reachedOn}` : q.reachedOn ? `reached on ${q.reachedOn} at this rate` : 'not reached at this rate');
      const configured = (f.quotas ?? []).filter((q) => q.scope !== 'request');
      ctx.out([
        `stored       ${formatBytes(last?.bytesStored ?? 0)} on ${last?.day ?? 'today'}${f.site ? ` at ${f.site}` : ''}`,
        `growth       ${f.growthBytesPerDay === null ? 'unknown (too few days)' : `${formatBytes(f.growthBytesPerDay)} per day over ${f.days.length} days`}`,
        ...configured.map((q) => `quota        ${q.scope} ${q.name}: ${formatBytes(q.quotaBytes)} (${formatBytes(q.bytesStored)} stored), ${reached(q)}`),
        ...(options.quota || configured.length === 0
          ? [`quota        ${f.quotaBytes === null || !options.quota ? 'none set (PUT /quotas, or --quota)' : `${formatBytes(f.quotaBytes)}, ${f.quotaReachedOn ? `reached on ${f.quotaReachedOn}${f.quotas?.find((q) => q.scope === 'request')?.reached ? '' : ' at this rate'}` : 'not reached at this rate'}`}`]
          : []),
      ].join('\n'));
    });

  return report;
}
