import { CliError } from './gateway-client';

/**
 * Resolves a snapshot id or unique prefix against the listed snapshots, so every command can
 * take what `arca snapshots` prints (12 characters) and fail with a reason rather than a 404.
 */
export function resolveSnapshotId(given: string, snapshots: Array<{ id: string }>): string {
  const wanted = given.trim().toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(wanted)) throw new CliError(`"${given}" is not a snapshot id (hex characters, as "arca snapshots" prints them)`);
  const matches = snapshots.filter((s) => s.id.startsWith(wanted));
  if (matches.length === 0) throw new CliError(`no snapshot ${wanted} (see "arca snapshots")`);
  if (matches.length > 1) {
    const shown = matches.slice(0, 5).map((s) => s.id.slice(0, 12)).join(', ');
    throw new CliError(`snapshot prefix ${wanted} matches ${matches.length} snapshots (${shown}${matches.length > 5 ? ', …' : ''}); give more characters`);
  }
  return matches[0].id;
}
