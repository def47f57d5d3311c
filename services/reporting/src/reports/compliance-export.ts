import PDFDocument from 'pdfkit';
import { ComplianceReport, PolicyCompliance } from './compliance.service';

/** The words a report uses for a policy's promises: "0 2 * * * (Europe/Paris)", "keep last 7, daily 14". */
export function describeSchedule(policy: PolicyCompliance): string {
  const schedule = policy.promised?.schedule as { cron?: string; timezone?: string } | undefined;
  const window = policy.promised?.backupWindow as { start?: string; end?: string } | undefined;
  if (!schedule?.cron) return 'unknown (the policy predates this report)';
  return `${schedule.cron} (${schedule.timezone ?? 'UTC'})${window?.start ? `, window ${window.start}-${window.end}` : ''}`;
}

export function describeRetention(policy: PolicyCompliance): string {
  const r = (policy.promised?.retention ?? {}) as Record<string, number | string | undefined>;
  const parts = [['keepLast', 'last'], ['keepHourly', 'hourly'], ['keepDaily', 'daily'], ['keepWeekly', 'weekly'], ['keepMonthly', 'monthly'], ['keepYearly', 'yearly'], ['keepWithin', 'within']]
    .filter(([key]) => r[key] !== undefined).map(([key, word]) => `${word} ${r[key]}`);
  return parts.length ? `keep ${parts.join(', ')}` : 'unknown';
}

export function describeImmutability(policy: PolicyCompliance): string {
  const lock = policy.promised?.objectLock as { mode?: string; days?: number } | undefined;
  return lock ? `object lock, ${lock.mode} mode${lock.days ? `, ${lock.days} days` : ''}` : 'none';
}

/** "2026-09-20T04:00:00.000Z passed, 12 files in 1.2 s (whole snapshot ~4.0 min)", or what failed, or none. */
export function describeTestRestore(policy: PolicyCompliance): string {
  const t = policy.lastTestRestore;
  if (!t) return 'none';
  if (t.status === 'failed') return `${time(t.at)} FAILED: ${t.error ?? 'no reason recorded'}${policy.lastSuccessfulTestRestore ? `; last passed ${time(policy.lastSuccessfulTestRestore.at)}` : ''}`;
  const loaded = t.database ? `; database loaded: ${t.database.tables} table(s), ${t.database.rows} row(s)` : '';
  return `${time(t.at)} passed, ${t.files ?? 0} file(s) in ${((t.durationMs ?? 0) / 1000).toFixed(1)} s (whole snapshot ~${(((t.estimatedFullRestoreMs ?? 0) / 60_000)).toFixed(1)} min)${loaded}`;
}

/** "target 60 min, observed 4.0 min: met", or what is missing. */
export function describeRto(policy: PolicyCompliance): string {
  const { targetMinutes, observedMinutes, met } = policy.rto;
  if (targetMinutes === null) return observedMinutes === null ? 'no target, not measured' : `no target; observed ${observedMinutes} min`;
  if (observedMinutes === null) return `target ${targetMinutes} min, not measured (no passed test restore)`;
  return `target ${targetMinutes} min, observed ${observedMinutes} min: ${met ? 'met' : 'BREACHED'}`;
}

/** Each RTO breach of the period: "2026-09-20T04:00:00.000Z: 75 min against 60 (test restore <job>), until …" */
export function describeRtoBreaches(policy: PolicyCompliance): string[] {
  return policy.rto.breaches.map((b) => `${time(b.at)}: ${b.measuredMinutes} min against ${b.targetMinutes} (test restore ${b.jobId}), ${b.restoredAt ? `until ${time(b.restoredAt)}` : 'not restored by the end of the period'}`);
}

const percent = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(2)} %`);
const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;
const time = (d: Date | null) => (d ? new Date(d).toISOString() : 'none');

/** A CSV cell: quoted when it holds a comma, a quote or a line break; a leading =, +, - or @ is defused for spreadsheets. */
function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const CSV_COLUMNS = ['policy', 'policy_id', 'schedule', 'rpo_minutes', 'rpo_met_percent', 'breaches', 'breached_hours', 'backups_completed', 'backups_failed',
  'backups_cancelled', 'retention', 'immutability', 'last_successful_backup', 'last_clean_check', 'last_test_restore', 'rto', 'rto_breaches', 'rto_breach_detail', 'breach_detail'];

/** One row per policy; its breaches, each with its causes, in the last column. */
export function complianceCsv(report: ComplianceReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const p of report.policies) {
    const breaches = p.rpo.breaches.map((b) => `${time(b.from)} to ${b.to ? time(b.to) : 'end of period'} (${hours(b.durationMs)}): ${b.causes.length ? b.causes.map((c) => `job ${c.jobId} failed: ${c.error ?? 'no reason recorded'}`).join('; ') : 'no backup ran'}`);
    lines.push([
      p.name, p.policyId, describeSchedule(p), p.rpoMinutes, p.rpo.metShare === null ? '' : (p.rpo.metShare * 100).toFixed(2), p.rpo.breaches.length,
      (p.rpo.breachedMs / 3_600_000).toFixed(2), p.backups.completed, p.backups.failed, p.backups.cancelled, describeRetention(p), describeImmutability(p),
      time(p.lastSuccessfulBackupAt), report.lastCleanCheck ? time(report.lastCleanCheck.at) : 'none', describeTestRestore(p), describeRto(p), p.rto.breaches.length,
      describeRtoBreaches(p).join(' | '), breaches.join(' | '),
    ].map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The report as a PDF to file (pdfkit, its built-in Helvetica: no font files to ship): the period,
 * then per policy its promises, the share of the period its RPO was met, each breach with its
 * causes, and the repository's last clean check.
 */
export function compliancePdf(report: ComplianceReport): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Arca compliance report ${time(report.from)} to ${time(report.to)}`, Author: 'Arca' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.fontSize(18).text('Arca compliance report');
  doc.moveDown(0.3).fontSize(10)
    .text(`Tenant: ${report.tenant}`)
    .text(`Period: ${time(report.from)} to ${time(report.to)}`)
    .text(`Generated: ${time(report.generatedAt)}`)
    .text(`Last clean repository check: ${report.lastCleanCheck ? `${time(report.lastCleanCheck.at)} (job ${report.lastCleanCheck.jobId})` : 'none in the period'}`);
  if (report.policies.length === 0) doc.moveDown().text('No policies in this period.');
  for (const p of report.policies) {
    doc.moveDown().fontSize(13).text(`Policy ${p.name}${p.deleted ? ' (deleted)' : ''}`);
    doc.fontSize(10)
      .text(`Id: ${p.policyId}`)
      .text(`Schedule: ${describeSchedule(p)}; RPO ${p.rpoMinutes} minutes`)
      .text(`RPO met: ${percent(p.rpo.metShare)} of the period (${p.rpo.breaches.length} breach(es), ${hours(p.rpo.breachedMs)} in breach)`)
      .text(`Backups: ${p.backups.completed} completed, ${p.backups.failed} failed, ${p.backups.cancelled} cancelled; last success ${time(p.lastSuccessfulBackupAt)}`)
      .text(`Retention: ${describeRetention(p)}; immutability: ${describeImmutability(p)}`)
      .text(`Last test restore: ${describeTestRestore(p)}; RTO ${describeRto(p)}; ${p.rto.breaches.length} RTO breach(es) in the period`);
    for (const b of describeRtoBreaches(p)) doc.text(`RTO breach ${b}`, { indent: 12 });
    for (const b of p.rpo.breaches) {
      doc.text(`Breach ${time(b.from)} to ${b.to ? time(b.to) : 'end of period'} (${hours(b.durationMs)}): ${b.causes.length ? b.causes.map((c) => `job ${c.jobId} failed: ${c.error ?? 'no reason recorded'}`).join('; ') : 'no backup ran'}`, { indent: 12 });
    }
  }
  doc.end();
  return done;
}
