import { Command } from 'commander';
import { CliIo, contextOf } from '../context';
import { formatBytes, formatPercent, formatTime, table } from '../format';
import { renderPrune } from './lifecycle';

export interface KeyGenerationInfo {
  generation: number;
  createdAt: string;
  current: boolean;
  packs: number;
  bytes: number;
  nonces: { sealed: number; budget: number; used: number; rotate: boolean };
}

export interface MasterKeyReport {
  repositoryId: string;
  cipher: string;
  currentGeneration: number;
  generations: KeyGenerationInfo[];
  rotate: boolean;
}

export function renderMasterKey(report: MasterKeyReport): string {
  const rows = report.generations.map((g) => [
    String(g.generation), g.current ? 'yes' : '', formatTime(g.createdAt), String(g.packs), formatBytes(g.bytes), `${g.nonces.sealed} (${formatPercent(g.nonces.used)})`,
  ]);
  const lines = [`repository ${report.repositoryId} (${report.cipher}): new objects are sealed under key generation ${report.currentGeneration}`, table(['generation', 'current', 'created', 'packs', 'bytes', 'sealed messages (of 2^32)'], rows)];
  if (report.rotate) lines.push(`generation ${report.currentGeneration} has sealed half of the 2^32 messages random nonces allow: rotate now (arca keys master rotate)`);
  return lines.join('\n');
}

/**
 * `arca keys master`: the repository master key's generations (admins of the installation).
 * Under `keys master`, not `keys rotate`, which rotates API keys.
 */
export function masterKeyCommand(io: CliIo): Command {
  const master = new Command('master').description("the repository master key's generations: report, rotate, reseal (API keys are `arca keys rotate`)");

  master.command('status')
    .description('each generation: created, packs and bytes still sealed under it, messages sealed against the 2^32 nonce bound')
    .option('--json', 'print the report as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const report = await ctx.client.get<MasterKeyReport>('/repository/keys');
      ctx.out(ctx.json ? report : renderMasterKey(report));
    });

  master.command('rotate')
    .description('make a new master key generation: every new chunk, pack and manifest is sealed under it; old data stays readable; chunk ids (dedupe) do not change')
    .option('--json', 'print the new generation as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const rotated = await ctx.client.post<{ repositoryId: string; generation: number; previous: number; createdAt: string }>('/repository/key-rotation');
      if (ctx.json) return ctx.out(rotated);
      ctx.out(`rotated the master key of repository ${rotated.repositoryId}: generation ${rotated.previous} -> ${rotated.generation}`);
      ctx.note('existing packs stay sealed under their generation (readable with every key slot); prune moves the packs it rewrites to the new one');
    });

  master.command('reseal')
    .description('a prune that also rewrites every pack sealed under an older generation, sealing its chunks under the newest (a job; safe beside running backups)')
    .option('--json', 'print the finished job as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const { jobId } = await ctx.client.post<{ jobId: string }>('/prune', { reseal: true });
      const job = await ctx.follow(jobId);
      ctx.out(ctx.json ? job : renderPrune(job.stats as unknown as Parameters<typeof renderPrune>[0]));
    });

  return master;
}
