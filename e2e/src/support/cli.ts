import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { adminKeyFor } from './test-platform';

const run = promisify(execFile);
export const ARCA_BIN = path.resolve(__dirname, '../../../cli/bin/arca.js');

/** The CLI's environment: this process's, with the platform's admin key (as a user sets ARCA_API_KEY once). */
function cliEnv(gatewayUrl: string, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ARCA_API_KEY: adminKeyFor(gatewayUrl), ...env };
}

/** Runs the arca CLI as a user would, against a test platform's gateway. */
export async function arca(gatewayUrl: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [ARCA_BIN, '--url', gatewayUrl, ...args], { maxBuffer: 64 * 1024 * 1024, env: cliEnv(gatewayUrl, env) });
}

/** Runs the CLI and returns its exit code and output even when it fails. */
export async function arcaStatus(gatewayUrl: string, args: string[], stdin?: Buffer, env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ARCA_BIN, '--url', gatewayUrl, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: cliEnv(gatewayUrl, env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The CLI's raw stdout (for `cat`). Async on purpose: the test process hosts the broker and s3rver. */
export async function arcaBytes(gatewayUrl: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run(process.execPath, [ARCA_BIN, '--url', gatewayUrl, ...args], { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer', env: cliEnv(gatewayUrl) });
  return stdout;
}
