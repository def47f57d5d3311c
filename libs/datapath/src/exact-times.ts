import { spawn } from 'node:child_process';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Sets modification times to the nanosecond. Node's utimes takes seconds as a double, which
 * loses the last few hundred nanoseconds of a current timestamp; GNU touch takes the exact
 * decimal, so restored trees compare equal with `stat`/`find -printf %T@`. All the touches run
 * in one shell fed on stdin: one process start per restore, not per file (spawning from a
 * large Node process costs milliseconds of main-thread time each). Resolves false where no
 * shell or touch is available; the microsecond-close utimes values then stay.
 */
export async function setExactMtimes(items: Array<{ path: string; mtimeNs: string }>): Promise<boolean> {
  if (items.length === 0) return true;
  const byTime = new Map<string, string[]>();
  for (const item of items) byTime.set(item.mtimeNs, [...(byTime.get(item.mtimeNs) ?? []), item.path]);
  const lines: string[] = [];
  for (const [ns, paths] of byTime) {
    const value = BigInt(ns);
    const stamp = `@${value / 1_000_000_000n}.${(value % 1_000_000_000n).toString().padStart(9, '0')}`;
    for (let i = 0; i < paths.length; i += 200) lines.push(`touch -c -h -m -d ${stamp} -- ${paths.slice(i, i + 200).map(shellQuote).join(' ')} || exit 1`);
  }
  return new Promise((resolve) => {
    const shell = spawn('sh', ['-s'], { stdio: ['pipe', 'ignore', 'ignore'] });
    shell.on('error', () => resolve(false));
    shell.on('close', (code) => resolve(code === 0));
    shell.stdin.on('error', () => undefined);
    shell.stdin.end(lines.join('\n') + '\n');
  });
}
