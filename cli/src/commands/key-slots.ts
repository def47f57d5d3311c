import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliIo, contextOf } from '../context';
import { formatTime, table } from '../format';
import { CliError } from '../gateway-client';
import type { KeySlotInfo } from '../types';

export function renderSlots(answer: { repositoryId: string; cipher: string; slots: KeySlotInfo[] }): string {
  const rows = answer.slots.map((s) => [s.id, s.label, s.kind, s.binding ?? '', formatTime(s.createdAt), s.unlockedHere ? 'yes' : '']);
  return `repository ${answer.repositoryId} (${answer.cipher}), ${answer.slots.length} key slot(s)\n${table(['id', 'label', 'kind', 'binding', 'created', 'unlocked ingest'], rows)}`;
}

/** A secret from a file, or from standard input with "-": its first line, so `echo secret |` and a file with a newline both work. */
async function readSecret(io: CliIo, file: string, what: string): Promise<string> {
  let text: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    try {
      text = readFileSync(path.resolve(io.cwd(), file), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${what} from ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const secret = text.split(/\r?\n/)[0];
  if (!secret) throw new CliError(`${what} in ${file === '-' ? 'standard input' : file} is empty`);
  return secret;
}

/** `arca keys slots`: the repository key's slots (admins of the installation). */
export function keySlotsCommand(io: CliIo): Command {
  const slots = new Command('slots').description("the repository key's slots: wrapped copies of the master key, each with its own passphrase or KMS binding");

  slots.command('list')
    .description('every slot: id, label, kind, KMS binding, and which one the ingest service unlocked with')
    .option('--json', 'print the slots as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const answer = await ctx.client.get<{ repositoryId: string; cipher: string; slots: KeySlotInfo[] }>('/repository/key-slots');
      ctx.out(ctx.json ? answer : renderSlots(answer));
    });

  slots.command('add')
    .description('add a slot; secrets are read from files (or "-" for standard input), never from the command line')
    .argument('<label>', 'who or what the slot is for (1-64 letters, digits, spaces, . _ @ -)')
    .addOption(new Option('--kind <kind>', 'what opens the slot').choices(['passphrase', 'local-key', 'vault-transit']).default('passphrase'))
    .option('--passphrase-file <file>', "the new slot's passphrase (kind passphrase; first line of the file, - for stdin)")
    .option('--vault-key <name>', 'the Vault Transit key to wrap with (kind vault-transit; default: the ingest service\'s ARCA_VAULT_TRANSIT_KEY)')
    .option('--current-passphrase-file <file>', 'a passphrase of an existing slot (required while the repository has a passphrase slot)')
    .option('--json', 'print the new slot as JSON')
    .action(async (label: string, options: { kind: string; passphraseFile?: string; vaultKey?: string; currentPassphraseFile?: string }, command: Command) => {
      const ctx = contextOf(command, io);
      if (options.passphraseFile === '-' && options.currentPassphraseFile === '-') throw new CliError('only one of --passphrase-file and --current-passphrase-file can be standard input');
      if (options.kind === 'passphrase' && !options.passphraseFile) throw new CliError('a passphrase slot needs --passphrase-file (a file, or - for standard input)');
      const body: Record<string, string> = { label, kind: options.kind };
      if (options.passphraseFile) body.passphrase = await readSecret(io, options.passphraseFile, 'the new passphrase');
      if (options.currentPassphraseFile) body.currentPassphrase = await readSecret(io, options.currentPassphraseFile, 'the current passphrase');
      if (options.vaultKey) body.vaultKey = options.vaultKey;
      const added = await ctx.client.post<{ repositoryId: string; slot: KeySlotInfo }>('/repository/key-slots', body);
      ctx.out(ctx.json ? added : `added key slot ${added.slot.label} (${added.slot.kind}${added.slot.binding ? ` ${added.slot.binding}` : ''}, id ${added.slot.id}) to repository ${added.repositoryId}`);
    });

  slots.command('revoke')
    .description('remove a slot: the key file is rewritten without it (the last slot cannot be revoked)')
    .argument('<slot>', 'the slot\'s id or label')
    .option('--json', 'print the revoked slot as JSON')
    .action(async (given: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const revoked = await ctx.client.json<{ repositoryId: string; slot: KeySlotInfo; remaining: number }>('DELETE', `/repository/key-slots/${encodeURIComponent(given)}`);
      if (ctx.json) return ctx.out(revoked);
      ctx.out(`revoked key slot ${revoked.slot.label} (${revoked.slot.id}); ${revoked.remaining} slot(s) remain`);
      if (revoked.slot.unlockedHere) ctx.note('the ingest service unlocked the repository with this slot: give it another slot\'s secret before its next start');
      ctx.note('a copy of the key file taken before now still opens with the revoked secret: the master key itself is unchanged (rotation is planned)');
    });

  return slots;
}
