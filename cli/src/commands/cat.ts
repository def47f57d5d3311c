import { Command } from 'commander';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliIo, contextOf } from '../context';
import { CliError } from '../gateway-client';
import { lookUpSnapshot } from './snapshot-lookup';

export function catCommand(io: CliIo): Command {
  return new Command('cat')
    .description('write one file of a snapshot to standard output, byte for byte')
    .argument('<snapshot>', 'snapshot id or unique prefix')
    .argument('<path>', 'file inside the snapshot, e.g. /etc/hosts')
    .action(async (given: string, file: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const id = await lookUpSnapshot(ctx.client, given);
      const inside = file.startsWith('/') ? file : `/${file}`;
      const body = await ctx.client.download(`/snapshots/${id}/file?path=${encodeURIComponent(inside)}`);
      try {
        await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), io.stdout);
      } catch (error) {
        // The gateway cuts the transfer when a chunk turns out damaged mid-file: never pass that off as the whole file.
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') return; // `arca cat … | head` closing early is fine
        throw new CliError(`the transfer of ${inside} broke off (${(error as Error).message}); the output is incomplete — run "arca check"`);
      }
    });
}
