import { Command } from 'commander';
import { CliIo, contextOf } from '../context';
import { formatBytes, formatTime, table } from '../format';
import type { TreeEntry } from '../types';
import { lookUpSnapshot } from './snapshot-lookup';

/** `ls -l`-style permission letters (the type letter, then rwx triplets). */
export function formatMode(type: TreeEntry['type'], mode: number): string {
  const letter = { dir: 'd', file: '-', symlink: 'l', hardlink: 'h' }[type] ?? '?';
  const bits = 'rwxrwxrwx'.split('').map((c, i) => (mode & (1 << (8 - i)) ? c : '-')).join('');
  return letter + bits;
}

export function renderTree(entries: TreeEntry[]): string {
  if (entries.length === 0) return '(empty directory)';
  return table(['mode', 'size', 'modified', 'name'], entries.map((e) => [
    formatMode(e.type, e.mode), e.type === 'file' || e.type === 'hardlink' ? formatBytes(e.size ?? 0) : '', formatTime(e.mtime),
    e.type === 'symlink' ? `${e.name} -> ${e.target ?? ''}` : e.type === 'hardlink' ? `${e.name} => ${e.linkTo ?? e.target ?? ''}` : e.type === 'dir' ? `${e.name}/` : e.name,
  ]));
}

export function lsCommand(io: CliIo): Command {
  return new Command('ls')
    .description('list a directory inside a snapshot, or one file or link')
    .argument('<snapshot>', 'snapshot id or unique prefix')
    .argument('[path]', 'directory, file or link inside the snapshot', '/')
    .option('--json', 'print the entries as JSON')
    .action(async (given: string, dir: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const id = await lookUpSnapshot(ctx.client, given);
      const inside = dir.startsWith('/') ? dir : `/${dir}`;
      const entries = await ctx.client.get<TreeEntry[]>(`/snapshots/${id}/tree?path=${encodeURIComponent(inside)}`);
      ctx.out(ctx.json ? entries : renderTree(entries));
    });
}
