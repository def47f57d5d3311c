import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatBytes, formatDuration, formatRatio, table } from './format';
import { CliError, GatewayClient } from './gateway-client';
import { followJob, Job } from './job-follower';
import { resolveSnapshotId } from './snapshot-ids';

interface Snapshot {
  id: string;
  time: string;
  sourceKind: string;
  sourceId: string;
  policyId: string | null;
  stats: { files: number; bytesRead: number; bytesNew: number; bytesStored: number; dedupeRatio: number; durationMs: number };
}

const program = new Command();
program
  .name('arca')
  .description('Arca backup client: talks to the gateway (ARCA_URL, default http://localhost:3000)')
  .option('--url <url>', 'gateway URL', process.env.ARCA_URL ?? 'http://localhost:3000')
  .option('--json', 'print JSON for scripts instead of tables and progress bars');

const client = () => new GatewayClient(program.opts().url.replace(/\/$/, ''));
const json = () => Boolean(program.opts().json);
const progress = () => !json() && Boolean(process.stderr.isTTY);
const print = (value: unknown): void => {
  process.stdout.write((typeof value === 'string' ? value : JSON.stringify(value, null, 2)) + '\n');
};
/** Nothing new means everything deduplicated: show that rather than a huge ratio. */
const dedupe = (s: { bytesNew: number; dedupeRatio: number }) => (s.bytesNew === 0 ? '∞' : formatRatio(s.dedupeRatio));

async function snapshotId(given: string): Promise<string> {
  return resolveSnapshotId(given, await client().get<Snapshot[]>('/snapshots'));
}

program.command('backup')
  .description('back up a directory (or --stdin, --postgres, --policy) and print the snapshot id')
  .argument('[dir]', 'directory to back up (read by the ingest service, so it must see the path)')
  .option('--stdin', 'back up standard input as a byte stream')
  .option('--name <name>', 'name of the stream (with --stdin)', 'stdin')
  .option('--postgres <url>', 'back up a PostgreSQL database with pg_dump')
  .option('--policy <id>', 'run a policy now')
  .option('--limit <bytesPerSec>', 'bandwidth limit in bytes per second', (v) => Number(v))
  .action(async (dir: string | undefined, opts: { stdin?: boolean; name: string; postgres?: string; policy?: string; limit?: number }) => {
    const gateway = client();
    let jobId: string;
    if (opts.stdin) {
      const result = await gateway.request<{ jobId: string }>('POST', `/streams?name=${encodeURIComponent(opts.name)}`, undefined, {
        body: Readable.toWeb(process.stdin) as never, headers: { 'content-type': 'application/octet-stream' }, duplex: 'half',
      } as RequestInit);
      jobId = result.jobId;
    } else {
      const source = opts.postgres ? { kind: 'postgres', connection: opts.postgres } : dir ? { kind: 'directory', path: path.resolve(dir) } : undefined;
      if (!source && !opts.policy) throw new CliError('give a directory, --stdin, --postgres URL or --policy ID');
      jobId = (await gateway.post<{ jobId: string }>('/jobs', { ...(opts.policy ? { policyId: opts.policy } : { source }), ...(opts.limit ? { bandwidthLimitBytesPerSec: opts.limit } : {}) })).jobId;
    }
    const job = await followJob(gateway, jobId, { showProgress: progress() });
    if (json()) return print(job);
    const s = (job.stats ?? {}) as Snapshot['stats'] & { compressionRatio: number };
    process.stderr.write(`${s.files} files, ${formatBytes(s.bytesRead)} read, ${formatBytes(s.bytesNew)} new, ${formatBytes(s.bytesStored)} stored, dedupe ${dedupe(s)}, in ${formatDuration(s.durationMs)}\n`);
    print(job.snapshotId!);
  });

program.command('snapshots')
  .description('list snapshots with their statistics')
  .option('--policy <id>', 'only snapshots of this policy')
  .action(async (opts: { policy?: string }) => {
    const snapshots = await client().get<Snapshot[]>(`/snapshots${opts.policy ? `?policyId=${opts.policy}` : ''}`);
    if (json()) return print(snapshots);
    print(table(['id', 'time', 'source', 'files', 'read', 'new', 'stored', 'dedupe'], snapshots.map((s) => [
      s.id.slice(0, 12), new Date(s.time).toISOString().replace('T', ' ').slice(0, 19), `${s.sourceKind}:${s.sourceId}`, String(s.stats.files),
      formatBytes(s.stats.bytesRead), formatBytes(s.stats.bytesNew), formatBytes(s.stats.bytesStored), dedupe(s.stats),
    ])));
  });

program.command('ls')
  .description('list a directory inside a snapshot')
  .argument('<snapshot>', 'snapshot id or unique prefix')
  .argument('[path]', 'directory inside the snapshot', '/')
  .action(async (given: string, dir: string) => {
    const entries = await client().get<Array<{ name: string; type: string; size?: number; mode: number; mtime: string; target?: string }>>(`/snapshots/${await snapshotId(given)}/tree?path=${encodeURIComponent(dir)}`);
    if (json()) return print(entries);
    print(table(['mode', 'size', 'modified', 'name'], entries.map((e) => [
      `${e.type[0]}${e.mode.toString(8).padStart(4, '0')}`, e.size !== undefined ? formatBytes(e.size) : '', e.mtime.replace('T', ' ').slice(0, 19),
      e.type === 'symlink' ? `${e.name} -> ${e.target}` : e.type === 'dir' ? `${e.name}/` : e.name,
    ])));
  });

program.command('restore')
  .description('restore a snapshot (or --path parts of it) into a target directory')
  .argument('<snapshot>', 'snapshot id or unique prefix')
  .requiredOption('--target <dir>', 'directory to restore into (created if missing)')
  .addOption(new Option('--path <path...>', 'restore only these paths of the snapshot'))
  .action(async (given: string, opts: { target: string; path?: string[] }) => {
    const gateway = client();
    const id = await snapshotId(given);
    const { jobId } = await gateway.post<{ jobId: string }>(`/snapshots/${id}/restore`, { target: path.resolve(opts.target), ...(opts.path ? { paths: opts.path } : {}) });
    const job = await followJob(gateway, jobId, { showProgress: progress() });
    if (json()) return print(job);
    const s = (job.stats ?? {}) as { files: number; bytesWritten: number; durationMs: number; failedFiles: Array<{ path: string; reason: string }> };
    process.stderr.write(`restored ${s.files} files, ${formatBytes(s.bytesWritten)} to ${path.resolve(opts.target)} in ${formatDuration(s.durationMs)}\n`);
    if (s.failedFiles?.length) {
      for (const f of s.failedFiles) process.stderr.write(`  FAILED ${f.path}: ${f.reason}\n`);
      throw new CliError(`${s.failedFiles.length} file(s) could not be restored`);
    }
  });

program.command('cat')
  .description("write one file of a snapshot to stdout")
  .argument('<snapshot>', 'snapshot id or unique prefix')
  .argument('<path>', 'file inside the snapshot')
  .action(async (given: string, file: string) => {
    const body = await client().stream(`/snapshots/${await snapshotId(given)}/file?path=${encodeURIComponent(file)}`);
    await pipeline(Readable.fromWeb(body as never), process.stdout);
  });

program.command('check')
  .description('read back packs and verify every chunk snapshots reference')
  .option('--percent <n>', 'share of packs to read', (v) => Number(v), 100)
  .action(async (opts: { percent: number }) => {
    const gateway = client();
    const { jobId } = await gateway.post<{ jobId: string }>('/check', { percent: opts.percent });
    const job = await followJob(gateway, jobId, { showProgress: progress() });
    const s = job.stats as { packsChecked: number; chunksChecked: number; damaged: Array<{ chunkId: string; packKey: string; reason: string; snapshots: string[]; files: string[] }> };
    if (json()) print(job);
    else {
      process.stderr.write(`checked ${s.packsChecked} packs, ${s.chunksChecked} chunks\n`);
      for (const d of s.damaged) print(`DAMAGED chunk ${d.chunkId} in ${d.packKey || '(no pack)'}: ${d.reason}\n  snapshots: ${d.snapshots.join(', ')}\n  files: ${d.files.join(', ')}`);
      if (s.damaged.length === 0) print('no damage found');
    }
    if (s.damaged.length > 0) process.exitCode = 1;
  });

program.command('jobs')
  .description('recent jobs')
  .action(async () => {
    const jobs = await client().get<Job[]>('/jobs');
    if (json()) return print(jobs);
    print(table(['job', 'kind', 'status', 'snapshot', 'error'], jobs.map((j) => [j.jobId, j.kind, j.status, j.snapshotId?.slice(0, 12) ?? '', j.error ?? ''])));
  });

const policies = program.command('policies').description('manage backup policies');
policies.command('list').action(async () => {
  const list = await client().get<Array<{ id: string; name: string; version: number; schedule: { cron: string; timezone: string }; source: { kind: string; path?: string } }>>('/policies');
  if (json()) return print(list);
  print(table(['id', 'name', 'version', 'schedule', 'source'], list.map((p) => [p.id, p.name, String(p.version), `${p.schedule.cron} ${p.schedule.timezone}`, `${p.source.kind}:${p.source.path ?? ''}`])));
});
policies.command('show').argument('<id>').action(async (id: string) => print(await client().get(`/policies/${id}`)));
policies.command('create').requiredOption('--file <policy.json>', 'the policy as JSON').action(async (opts: { file: string }) => {
  print(await client().post('/policies', JSON.parse(readFileSync(opts.file, 'utf8'))));
});
policies.command('delete').argument('<id>').action(async (id: string) => {
  await client().request('DELETE', `/policies/${id}`);
  print(`deleted policy ${id}`);
});

program.command('report')
  .description('success rates, storage use, dedupe ratio, RPO compliance')
  .action(async () => {
    const r = await client().get<{ jobs: { total: number; completed: number; failed: number; successRate: number | null }; storage: { bytesRead: number; bytesStored: number }; dedupeRatio: number | null; rpo: Array<{ name: string; compliant: boolean; ageMinutes: number | null; rpoMinutes: number }> }>('/reports/summary');
    if (json()) return print(r);
    print(`backups: ${r.jobs.completed} completed, ${r.jobs.failed} failed (success rate ${r.jobs.successRate === null ? '-' : (r.jobs.successRate * 100).toFixed(1) + '%'})`);
    print(`storage: ${formatBytes(r.storage.bytesRead)} backed up, ${formatBytes(r.storage.bytesStored)} stored, dedupe ${formatRatio(r.dedupeRatio)}`);
    if (r.rpo.length) print(table(['policy', 'RPO', 'last success', 'compliant'], r.rpo.map((p) => [p.name, `${p.rpoMinutes} min`, p.ageMinutes === null ? 'never' : `${p.ageMinutes} min ago`, p.compliant ? 'yes' : 'NO'])));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`arca: ${error instanceof CliError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
