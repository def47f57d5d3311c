import { Command, Option } from 'commander';
import { CliIo, contextOf } from '../context';
import { formatTime, table } from '../format';
import { CliError } from '../gateway-client';
import type { ApiKey } from '../types';
import { keySlotsCommand } from './key-slots';
import { masterKeyCommand } from './master-key';

export function renderKeys(keys: ApiKey[]): string {
  if (keys.length === 0) return 'no API keys';
  return table(['id', 'name', 'role', 'key', 'created', 'last used', 'state'], keys.map((k) => [
    k.id.slice(0, 8), k.name, k.role, `${k.prefix}…`, formatTime(k.createdAt), k.lastUsedAt ? formatTime(k.lastUsedAt) : 'never', k.revokedAt ? `revoked ${formatTime(k.revokedAt)}` : 'active',
  ]));
}

/** A key named by its id, a unique id prefix, or the name of its one active key. */
export function resolveKeyId(given: string, keys: ApiKey[]): string {
  const byId = keys.filter((k) => k.id.startsWith(given));
  if (byId.length === 1) return byId[0].id;
  const byName = keys.filter((k) => k.name === given && !k.revokedAt);
  if (byName.length === 1) return byName[0].id;
  if (byId.length > 1 || byName.length > 1) throw new CliError(`"${given}" names more than one key; give more of the id`);
  throw new CliError(`no API key "${given}" (see "arca keys list")`);
}

/** The new key on stdout alone (so `$(arca keys create …)` captures it); where it came from on stderr. */
function showNewKey(ctx: ReturnType<typeof contextOf>, created: ApiKey, verb: string): void {
  if (ctx.json) return ctx.out(created);
  ctx.note(`${verb} ${created.role} key ${created.name} (${created.id}) of tenant ${created.tenant}; the key is shown only this once:`);
  ctx.out(created.key ?? '');
}

export function keysCommand(io: CliIo): Command {
  const keys = new Command('keys').description('API keys (admins): create, list, revoke, rotate; and the repository key\'s slots (keys slots)');
  const resolve = async (ctx: ReturnType<typeof contextOf>, given: string) => resolveKeyId(given, await ctx.client.get<ApiKey[]>('/keys'));

  keys.command('create')
    .description('make a key with a role; prints the key, which is shown only this once')
    .argument('<name>', 'what the key is for (letters, digits, . _ @ -)')
    .addOption(new Option('--role <role>', 'what the key may do').choices(['admin', 'operator', 'auditor']).makeOptionMandatory())
    .option('--tenant <tenant>', "the key's tenant (a slug; default: yours; only admins of the default tenant may name another)")
    .option('--json', 'print the key and its record as JSON')
    .action(async (name: string, options: { role: string; tenant?: string }, command: Command) => {
      const ctx = contextOf(command, io);
      showNewKey(ctx, await ctx.client.post<ApiKey>('/keys', { name, role: options.role, ...(options.tenant ? { tenant: options.tenant } : {}) }), 'created');
    });

  keys.command('list')
    .description('every key, active and revoked (never the secrets)')
    .option('--json', 'print the keys as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const list = await ctx.client.get<ApiKey[]>('/keys');
      ctx.out(ctx.json ? list : renderKeys(list));
    });

  keys.command('revoke')
    .description('stop a key working, at once')
    .argument('<key>', 'id, unique id prefix, or name of an active key')
    .action(async (given: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const revoked = await ctx.client.json<ApiKey>('DELETE', `/keys/${await resolve(ctx, given)}`);
      ctx.out(ctx.json ? revoked : `revoked key ${revoked.name} (${revoked.id})`);
    });

  keys.command('rotate')
    .description('replace a key by a new one of the same name and role; the old one stops working')
    .argument('<key>', 'id, unique id prefix, or name of an active key')
    .option('--json', 'print the new key and its record as JSON')
    .action(async (given: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      showNewKey(ctx, await ctx.client.post<ApiKey>(`/keys/${await resolve(ctx, given)}/rotate`), 'rotated: new');
    });

  keys.addCommand(keySlotsCommand(io));
  keys.addCommand(masterKeyCommand(io));
  return keys;
}
