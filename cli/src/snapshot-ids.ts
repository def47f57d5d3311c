import { CliError } from './gateway-client';

/** Resolves a snapshot id or unique prefix against the listed snapshots. */
export function resolveSnapshotId(given: string, snapshots: Array<{ id: string }>): string {
  if (!/^[0-9a-f]{1,64}$/.test(given)) throw new CliError(`"${given}" is not a snapshot id (hex characters)`);
  const matches = snapshots.filter((s) => s.id.startsWith(given));
  if (matches.length === 0) throw new CliError(`no snapshot ${given}`);
  if (matches.length > 1) throw new CliError(`snapshot prefix ${given} matches ${matches.length} snapshots; give more characters`);
  return matches[0].id;
}
