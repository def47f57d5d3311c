import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * The JavaScript code blocks of a markdown file that name themselves on their first line
 * (`// consumer.mjs: …`), by that name: the examples a doc promises work as written.
 */
export function namedCodeBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(/^```(?:js|javascript)\n([\s\S]*?)^```$/gm)) {
    const name = /^\/\/ ([\w.-]+\.m?js)\b/.exec(match[1])?.[1];
    if (name) blocks.set(name, match[1]);
  }
  return blocks;
}

/**
 * Writes a doc's named code blocks as files under e2e/output (inside the repository, so they
 * resolve its packages, as a user's project resolves its own) and returns their paths by name.
 */
export function writeDocScripts(doc: string, into: string): Record<string, string> {
  const dir = path.join(REPO_ROOT, 'e2e', 'output', into);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [name, code] of namedCodeBlocks(readFileSync(path.join(REPO_ROOT, doc), 'utf8'))) {
    files[name] = path.join(dir, name);
    writeFileSync(files[name], code);
  }
  return files;
}

export interface RunningScript {
  /** Lines of stdout so far. */
  lines: string[];
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Runs a script with node, its stdout collected line by line. */
export function runScript(file: string, args: string[], env: NodeJS.ProcessEnv): RunningScript {
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    lines,
    stderr: () => stderr,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
