import { processIo } from './context';
import { CliError } from './gateway-client';
import { buildProgram } from './program';

// The one place errors become output: a CliError is an expected failure (one line, exit 1);
// anything else is a bug in the CLI, so its stack is worth showing.
buildProgram(processIo())
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`arca: ${error instanceof CliError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
