import { Command, Option } from 'commander';
import { CliIo, contextOf } from '../context';
import { formatBytes, formatDuration } from '../format';

/** What a recovery rebuilt (recover.completed), for people. */
export interface RecoverStats {
  from: 'primary' | 'replica';
  merge: boolean;
  repositoryId: string;
  snapshotsRecovered: number;
  snapshotsKept: number;
  snapshotsSkipped: number;
  listingsUnreadable: number;
  packsRecovered: number;
  chunksRecovered: number;
  packsSkipped: number;
  policiesRecovered: number;
  policiesKept: number;
  policiesSkipped: number;
  objectsCopied: number;
  bytesCopied: number;
  skipped: Array<{ key: string; reason: string }>;
  durationMs: number;
}

export function renderRecover(s: RecoverStats): string {
  return [
    `recovered repository ${s.repositoryId} from the ${s.from} site: ${s.snapshotsRecovered} snapshot(s), ${s.packsRecovered} pack(s), ${s.chunksRecovered} chunk(s)`,
    `${s.policiesRecovered} polic${s.policiesRecovered === 1 ? 'y' : 'ies'} restored${s.policiesKept ? `, ${s.policiesKept} held already` : ''}${s.policiesSkipped ? `, ${s.policiesSkipped} left out` : ''}`,
    ...(s.objectsCopied ? [`${s.objectsCopied} object(s) (${formatBytes(s.bytesCopied)}) copied back to the primary site`] : []),
    ...(s.snapshotsKept ? [`${s.snapshotsKept} snapshot(s) were in the catalogue already and were left as they were`] : []),
    ...(s.snapshotsSkipped || s.packsSkipped ? [`left out: ${s.snapshotsSkipped} manifest(s), ${s.packsSkipped} pack(s)`] : []),
    ...(s.listingsUnreadable ? [`${s.listingsUnreadable} directory listing(s) unreadable (run "arca check" to see what they lose)`] : []),
    ...s.skipped.map((k) => `  ${k.key}: ${k.reason}`),
    `took ${formatDuration(s.durationMs)}`,
  ].join('\n');
}

export function repositoryCommand(io: CliIo): Command {
  const repository = new Command('repository').description('the repository as a whole (admins)');
  repository.addCommand(new Command('recover')
    .description("rebuild the snapshot catalogue, the dedupe index and storage accounting from one site's bucket and the passphrase (after losing the database)")
    .addOption(new Option('--from <site>', 'the bucket to read: the replica copies what it recovers back to the primary').choices(['primary', 'replica']).default('primary'))
    .option('--merge', 'recover into a catalogue that has snapshots already, adding only what it lacks')
    .option('--json', 'print the finished job as JSON')
    .action(async (options: { from: 'primary' | 'replica'; merge?: boolean }, command: Command) => {
      const ctx = contextOf(command, io);
      const { jobId } = await ctx.client.post<{ jobId: string }>('/repository/recover', { from: options.from, ...(options.merge ? { merge: true } : {}) });
      const job = await ctx.follow(jobId);
      ctx.out(ctx.json ? job : renderRecover(job.stats as unknown as RecoverStats));
    }));
  return repository;
}
