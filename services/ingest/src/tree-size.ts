import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Bytes a backup of the directory will read, for progress bars with an ETA (one lstat per entry,
 * no reads). Like the archiver, it counts a hard-linked file once however many names it has, and
 * does not follow symlinks.
 */
export async function treeSize(root: string): Promise<number> {
  let total = 0;
  const seen = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const stats = await lstat(full, { bigint: true }).catch(() => undefined);
        if (!stats) continue;
        if (stats.nlink > 1n) {
          const identity = `${stats.dev}:${stats.ino}`;
          if (seen.has(identity)) continue;
          seen.add(identity);
        }
        total += Number(stats.size);
      }
    }
  };
  await walk(root);
  return total;
}
