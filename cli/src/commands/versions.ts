import { Command } from 'commander';
import path from 'node:path';
import { CliIo, contextOf } from '../context';
import { formatBytes, formatTime, table } from '../format';

interface FileVersion {
  snapshotId: string;
  time: string;
  size?: number;
  mtime: string;
}

export function renderVersions(versions: FileVersion[]): string {
  if (versions.length === 0) return 'no snapshot holds that file';
  return table(['snapshot', 'snapshot time', 'size', 'modified'], versions.map((v) => [
    v.snapshotId.slice(0, 12), formatTime(v.time), formatBytes(v.size), formatTime(v.mtime),
  ]));
}

/** A file's versions across the snapshots of one backed-up directory, newest first. */
export function versionsCommand(io: CliIo): Command {
  return new Command('versions')
    .description("show a file's versions across the snapshots of a directory")
    .argument('<dir>', 'the backed-up directory (as given to "arca backup")')
    .argument('<path>', 'file inside it, e.g. /docs/report.txt')
    .option('--json', 'print the versions as JSON')
    .action(async (dir: string, file: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const sourcePath = path.resolve(io.cwd(), dir);
      const inside = file.startsWith('/') ? file : `/${file}`;
      const versions = await ctx.client.get<FileVersion[]>(`/files/versions?sourcePath=${encodeURIComponent(sourcePath)}&path=${encodeURIComponent(inside)}`);
      ctx.out(ctx.json ? versions : renderVersions(versions));
    });
}
