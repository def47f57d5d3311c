import type { AuditEntryEntity } from './entities/audit-entry.entity';

export const AUDIT_CSV_COLUMNS = ['seq', 'time', 'actor', 'action', 'target', 'principal_type', 'principal_id', 'roles', 'request_id', 'trace_id', 'details', 'prev_hash', 'hash'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function field(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsvHeader(): string {
  return AUDIT_CSV_COLUMNS.join(',') + '\r\n';
}

export function auditCsvRow(e: AuditEntryEntity): string {
  const p = e.principal ?? {};
  return [e.seq, e.time.toISOString(), e.actor, e.action, e.target, p.type, p.id, Array.isArray(p.roles) ? p.roles.join(' ') : '', e.requestId, e.traceId, e.details, e.prevHash, e.hash]
    .map(field).join(',') + '\r\n';
}
