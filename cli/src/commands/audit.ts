import { Command, Option } from 'commander';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { CliIo, contextOf } from '../context';
import { formatTime, table } from '../format';
import { CliError } from '../gateway-client';
import type { AuditEntry, AuditVerification } from '../types';

export function renderAudit(entries: AuditEntry[]): string {
  if (entries.length === 0) return 'the audit log is empty';
  return table(['#', 'time', 'actor', 'action', 'target'], entries.map((e) => [String(e.seq), formatTime(e.time), e.actor, e.action, e.target]));
}

export function renderVerification(v: AuditVerification): string {
  if (v.valid) return v.head ? `the audit chain is intact: ${v.entries} entries, the last #${v.head.seq} with hash ${v.head.hash}` : 'the audit log is empty';
  return `the audit chain is broken at entry #${v.firstBroken!.seq} (event ${v.firstBroken!.eventId}): ${v.firstBroken!.reason}; ${v.entries} entries before it are intact`;
}

export function auditCommand(io: CliIo): Command {
  const audit = new Command('audit')
    .description('the audit log (auditors and admins): newest entries, verify the hash chain, export')
    .option('--limit <n>', 'how many of the newest entries', '50')
    .option('--json', 'print the entries as JSON')
    .action(async (options: { limit: string }, command: Command) => {
      const ctx = contextOf(command, io);
      const entries = await ctx.client.get<AuditEntry[]>(`/audit?limit=${encodeURIComponent(options.limit)}`);
      ctx.out(ctx.json ? entries : renderAudit(entries));
    });

  audit.command('verify')
    .description('walk the hash chain from the first entry; exits 1 naming the first broken entry')
    .option('--json', 'print the verification as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const verification = await ctx.client.get<AuditVerification>('/audit/verify');
      if (ctx.json) ctx.out(verification);
      if (!verification.valid) throw new CliError(renderVerification(verification));
      if (!ctx.json) ctx.out(renderVerification(verification));
    });

  audit.command('export')
    .description('the whole audit log in chain order to stdout')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .action(async (options: { format: string }, command: Command) => {
      const ctx = contextOf(command, io);
      const body = await ctx.client.download(`/audit/export?format=${options.format}`);
      await pipeline(Readable.fromWeb(body as ReadableStream), io.stdout);
    });

  return audit;
}
