import { Command } from 'commander';
import { backupCommand } from './commands/backup';
import { auditCommand } from './commands/audit';
import { catCommand } from './commands/cat';
import { checkCommand } from './commands/check';
import { jobsCommand } from './commands/jobs';
import { forgetCommand, holdCommand, pruneCommand } from './commands/lifecycle';
import { repositoryCommand } from './commands/repository';
import { keysCommand } from './commands/keys';
import { lsCommand } from './commands/ls';
import { policiesCommand } from './commands/policies';
import { reportCommand } from './commands/report';
import { restoreCommand } from './commands/restore';
import { snapshotsCommand } from './commands/snapshots';
import { versionsCommand } from './commands/versions';
import { webhooksCommand } from './commands/webhooks';
import { CliIo, DEFAULT_URL } from './context';

/** The whole `arca` command tree; `io` is the process's streams, or a test's. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('arca')
    .description('Arca backup client. Talks to the gateway only (ARCA_URL, or --url).')
    .option('--url <url>', `gateway URL (default $ARCA_URL or ${DEFAULT_URL})`)
    .option('--json', 'machine-readable JSON on stdout, no progress bars')
    .addHelpText('after', '\nEnvironment:\n  ARCA_URL      the gateway (default http://localhost:3000)\n  ARCA_API_KEY  the API key to send (default: the admin key npm start wrote to .arca/admin-key)');
  for (const command of [backupCommand, snapshotsCommand, lsCommand, restoreCommand, catCommand, versionsCommand, checkCommand, forgetCommand, pruneCommand, holdCommand, repositoryCommand, policiesCommand, jobsCommand, reportCommand, auditCommand, keysCommand, webhooksCommand]) {
    program.addCommand(command(io));
  }
  configureTree(program, io);
  return program;
}

/**
 * Usage errors look like every other error ("arca: …", one line plus a pointer to help) and go to
 * the given streams. Applied to the whole tree because addCommand, unlike command(), does not
 * pass settings down.
 */
function configureTree(command: Command, io: CliIo): void {
  command
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`arca: ${s.replace(/^error: /, '')}`),
    })
    .showHelpAfterError(`(see "${commandPath(command)} --help")`);
  for (const sub of command.commands) configureTree(sub, io);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
