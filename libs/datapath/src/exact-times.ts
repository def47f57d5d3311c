import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Sets modification times to the nanosecond. Node's utimes takes seconds as a double, which
 * loses the last few hundred nanoseconds of a current timestamp; GNU touch takes the exact
 * decimal, so restored trees compare equal with `stat`/`find -printf %T@`. One process per
 * distinct time (up to 500 paths each); returns false where touch is unavailable.
 */
export async function setExactMtimes(items: Array<{ path: string; mtimeNs: string }>): Promise<boolean> {
  const byTime = new Map<string, string[]>();
  for (const item of items) byTime.set(item.mtimeNs, [...(byTime.get(item.mtimeNs) ?? []), item.path]);
  const jobs: Array<{ stamp: string; paths: string[] }> = [];
  for (const [ns, paths] of byTime) {
    const value = BigInt(ns);
    const stamp = `@${value / 1_000_000_000n}.${(value % 1_000_000_000n).toString().padStart(9, '0')}`;
    for (let i = 0; i < paths.length; i += 500) jobs.push({ stamp, paths: paths.slice(i, i + 500) });
  }
  try {
    for (let i = 0; i < jobs.length; i += 8) {
      await Promise.all(jobs.slice(i, i + 8).map((j) => run('touch', ['-c', '-h', '-m', '-d', j.stamp, '--', ...j.paths])));
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
