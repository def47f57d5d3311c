import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Flips a byte inside the first sealed chunk of every data pack s3rver stored after `newerThan`
 * was written: packs of at least `minBytes`, so the small packs of directory listings (tree
 * objects) stay sound and a check can still name the damaged files. Returns the packs damaged.
 * (execFileSync is fine here: find does not need the broker or s3rver the test process hosts.)
 */
export function damageNewDataPacks(dataDir: string, newerThan: string, minBytes = 100_000): string[] {
  return damageNewPacks(dataDir, newerThan, (size) => size >= minBytes);
}

/** The same for the small packs of directory listings (below `maxBytes`). */
export function damageNewListingPacks(dataDir: string, newerThan: string, maxBytes = 16_384): string[] {
  return damageNewPacks(dataDir, newerThan, (size) => size < maxBytes);
}

function damageNewPacks(dataDir: string, newerThan: string, sized: (bytes: number) => boolean): string[] {
  const packs = execFileSync('find', [path.join(dataDir, 's3-primary'), '-path', '*data*', '-name', '*._S3rver_object', '-newer', newerThan])
    .toString().trim().split('\n').filter(Boolean).filter((p) => sized(statSync(p).size));
  for (const pack of packs) {
    const bytes = readFileSync(pack);
    bytes[30] ^= 0xff;
    writeFileSync(pack, bytes);
  }
  return packs;
}
