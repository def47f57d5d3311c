import { spawn } from 'node:child_process';

/** Single-quoted for sh, as bytes: a path need not be UTF-8, and sh passes the bytes through. */
function shellQuote(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const parts: Buffer[] = [QUOTE];
  let start = 0;
  for (let at = bytes.indexOf(0x27); at !== -1; at = bytes.indexOf(0x27, start)) {
    parts.push(bytes.subarray(start, at), ESCAPED_QUOTE);
    start = at + 1;
  }
  parts.push(bytes.subarray(start), QUOTE);
  return Buffer.concat(parts);
}

const QUOTE = Buffer.from("'");
const SPACE = Buffer.from(' ');
const ESCAPED_QUOTE = Buffer.from("'\\''");

/**
 * Sets modification times to the nanosecond. Node's utimes takes seconds as a double, which
 * loses the last few hundred nanoseconds of a current timestamp; GNU touch takes the exact
 * decimal, so restored trees compare equal with `stat`/`find -printf %T@`. All the touches run
 * in one shell fed on stdin: one process start per restore, not per file (spawning from a
 * large Node process costs milliseconds of main-thread time each). Resolves false where no
 * shell or touch is available; the microsecond-close utimes values then stay.
 */
export async function setExactMtimes(items: Array<{ path: string | Buffer; mtimeNs: string }>): Promise<boolean> {
  if (items.length === 0) return true;
  const byTime = new Map<string, Array<string | Buffer>>();
  for (const item of items) byTime.set(item.mtimeNs, [...(byTime.get(item.mtimeNs) ?? []), item.path]);
  const lines: Buffer[] = [];
  for (const [ns, paths] of byTime) {
    const value = BigInt(ns);
    const stamp = `@${value / 1_000_000_000n}.${(value % 1_000_000_000n).toString().padStart(9, '0')}`;
    for (let i = 0; i < paths.length; i += 200) {
      const quoted = paths.slice(i, i + 200).flatMap((p) => [SPACE, shellQuote(p)]);
      lines.push(Buffer.concat([Buffer.from(`touch -c -h -m -d ${stamp} --`), ...quoted, Buffer.from(' || exit 1\n')]));
    }
  }
  return new Promise((resolve) => {
    const shell = spawn('sh', ['-s'], { stdio: ['pipe', 'ignore', 'ignore'] });
    shell.on('error', () => resolve(false));
    shell.on('close', (code) => resolve(code === 0));
    shell.stdin.on('error', () => undefined);
    shell.stdin.end(Buffer.concat(lines));
  });
}
