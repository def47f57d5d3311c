import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GatewayClient } from './gateway-client';
import { followJob, JobFailedError } from './job-follower';
import { NO_PROGRESS, PlainProgress, ProgressView, TerminalProgress } from './progress-view';
import type { Job } from './types';

export const DEFAULT_URL = 'http://localhost:3000';

/** The process streams a command uses; tests substitute their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  cwd(): string;
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: () => process.cwd(), env: process.env });

/** What every command needs: the gateway, the output mode, and somewhere to write. */
export class CliContext {
  readonly client: GatewayClient;
  readonly json: boolean;

  constructor(readonly io: CliIo, options: { url?: string; json?: boolean }) {
    this.client = new GatewayClient(options.url ?? io.env.ARCA_URL ?? DEFAULT_URL, apiKeyOf(io.env));
    this.json = Boolean(options.json);
  }

  /** Results go to stdout (text as is, anything else as JSON) so they can be piped and parsed. */
  out(value: unknown): void {
    this.io.stdout.write((typeof value === 'string' ? value : JSON.stringify(value, null, 2)) + '\n');
  }

  /** Commentary (summaries, progress) goes to stderr, keeping stdout for the result. */
  note(text: string): void {
    if (!this.json) this.io.stderr.write(text + '\n');
  }

  /** A bar on a terminal, plain periodic lines in a pipe or log, nothing with --json. */
  progressView(): ProgressView {
    if (this.json) return NO_PROGRESS;
    if (this.io.stderr.isTTY) return new TerminalProgress(this.io.stderr as NodeJS.WriteStream);
    return new PlainProgress((line) => this.io.stderr.write(line));
  }

  /**
   * Follows a job to its end. With --json a failed job is still printed (scripts want its
   * fields) before the failure becomes the one-line error and exit code 1.
   */
  async follow(jobId: string): Promise<Job> {
    try {
      return await followJob(this.client, jobId, { view: this.progressView() });
    } catch (error) {
      if (error instanceof JobFailedError && this.json) this.out(error.job);
      throw error;
    }
  }
}

/** Where `npm start` keeps its data, and so the first admin key: the repository's .arca, or ARCA_DATA_DIR. */
const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * The key the CLI authenticates with: ARCA_API_KEY, else the admin key `npm start` wrote
 * (<ARCA_DATA_DIR, default the repository's .arca>/admin-key), else none (the gateway answers 401).
 */
export function apiKeyOf(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ARCA_API_KEY) return env.ARCA_API_KEY.trim();
  try {
    return readFileSync(path.join(path.resolve(env.ARCA_DATA_DIR ?? path.join(REPO_ROOT, '.arca')), 'admin-key'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The context for a command's action: global options (`--url`, `--json`) may come before or after the command name. */
export function contextOf(command: Command, io: CliIo): CliContext {
  return new CliContext(io, command.optsWithGlobals<{ url?: string; json?: boolean }>());
}
