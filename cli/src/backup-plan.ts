import path from 'node:path';
import { CliError } from './gateway-client';

export interface BackupOptions {
  stdin?: boolean;
  name?: string;
  postgres?: string;
  policy?: string;
  limit?: string;
}

/** What `arca backup` will ask the gateway for. */
export type BackupPlan =
  | { kind: 'stream'; name: string }
  | { kind: 'policy'; policy: string; bandwidthLimitBytesPerSec?: number }
  | { kind: 'source'; source: { kind: 'directory'; path: string } | { kind: 'postgres'; connection: string }; bandwidthLimitBytesPerSec?: number };

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses "512k", "20M", "1.5g" (binary units, per second) or plain bytes into bytes per second. */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/i.exec(text.trim());
  if (!m) throw new CliError(`--limit ${text}: give bytes per second, e.g. 512k, 20M or 1G`);
  const value = Math.round(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  if (value < 1024) throw new CliError(`--limit ${text}: the smallest limit is 1k (1024 bytes per second)`);
  return value;
}

/**
 * Turns `arca backup`'s arguments into one request, insisting on exactly one source so that
 * `arca backup --stdin ./dir` fails loudly instead of silently backing up only one of them.
 * A directory is made absolute here: the ingest worker resolves nothing relative to the caller.
 */
export function planBackup(dir: string | undefined, options: BackupOptions, cwd: string): BackupPlan {
  const given = [dir !== undefined && 'a directory', options.stdin && '--stdin', options.postgres !== undefined && '--postgres', options.policy !== undefined && '--policy'].filter(Boolean);
  if (given.length === 0) throw new CliError('what to back up? give a directory, --stdin --name NAME, --postgres URL or --policy ID');
  if (given.length > 1) throw new CliError(`give only one of a directory, --stdin, --postgres or --policy (got ${given.join(' and ')})`);
  if (options.name !== undefined && !options.stdin) throw new CliError('--name only applies to --stdin');
  const limit = options.limit !== undefined ? parseRate(options.limit) : undefined;
  const limited = limit !== undefined ? { bandwidthLimitBytesPerSec: limit } : {};

  if (options.stdin) {
    if (limit !== undefined) throw new CliError('--limit does not apply to --stdin (the upload runs at the pipe\'s pace)');
    const name = options.name ?? 'stdin';
    if (!/^[^/\0]{1,255}$/.test(name)) throw new CliError(`--name ${JSON.stringify(name)}: a stream name is 1-255 characters without "/"`);
    return { kind: 'stream', name };
  }
  if (options.postgres !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(options.postgres)) throw new CliError('--postgres takes a connection URL: postgres://user:password@host:5432/database');
    return { kind: 'source', source: { kind: 'postgres', connection: options.postgres }, ...limited };
  }
  if (options.policy !== undefined) return { kind: 'policy', policy: options.policy, ...limited };
  return { kind: 'source', source: { kind: 'directory', path: path.resolve(cwd, dir!) }, ...limited };
}
