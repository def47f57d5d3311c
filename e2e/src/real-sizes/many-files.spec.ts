import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arca, arcaStatus } from '../support/cli';
import { makeDeepPath, makeLongNames, makeSmallFiles, makeWideDirectory } from '../support/real-sizes';
import { expectCleanCheckAndIngestPeak } from '../support/repository-health';
import { api } from '../support/test-platform';
import { usePlatform } from '../support/use-platform';

const run = promisify(execFile);
const stack = usePlatform();
/** The seed of the data (print it to replay a failure with the same bytes). */
const SEED = process.env.ARCA_TEST_SEED ?? 'many-files-1';
/**
 * What ingest may reach at its peak while backing up, restoring and checking these 70,003 files
 * (measured 1.2–1.65 GB): a bound that catches memory growing with the tree, not the budget we aim for.
 */
const INGEST_PEAK_BOUND = 2 * 1024 ** 3;

interface Snapshot { id: string; stats: { files: number; dirs: number; bytesRead: number; bytesNew: number; bytesStored: number } }

describe('a tree at the sizes users have', () => {
  it('backs up 20,000 small files, a directory of 50,000 entries, a path 200 deep and 255-byte names; again unchanged; restores byte for byte; checks clean', async () => {
    const source = stack.tempDir('many-files');
    const smallBytes = makeSmallFiles(path.join(source, 'tree'), SEED, 20_000);
    makeWideDirectory(path.join(source, 'wide'), SEED, 50_000);
    const deep = makeDeepPath(source, 200);
    const names = makeLongNames(source);
    const url = stack.platform.gatewayUrl;

    const first = (await arca(url, ['backup', source])).stdout.trim();
    const firstSnapshot = (await api<Snapshot>(stack.platform, 'GET', `/snapshots/${first}`)).body;
    expect(firstSnapshot.stats.files).toBe(20_000 + 50_000 + 1 + 2);
    expect(firstSnapshot.stats.dirs).toBe(1 + 1 + 20 + 1 + 200 + 2);
    expect(firstSnapshot.stats.bytesRead).toBeGreaterThan(smallBytes);

    // Unchanged: nothing is read again, and only the manifest is new (every listing is the same object as before).
    const second = (await arca(url, ['backup', source])).stdout.trim();
    const secondSnapshot = (await api<Snapshot>(stack.platform, 'GET', `/snapshots/${second}`)).body;
    expect(secondSnapshot.stats.bytesNew).toBe(0);
    expect(secondSnapshot.stats.bytesStored).toBeLessThan(4096);

    // ls reads the listings on its path only; the wide directory lists whole.
    const bottom = await arca(url, ['ls', second, `/${deep}`, '--json']);
    expect(JSON.parse(bottom.stdout).map((e: { name: string }) => e.name)).toEqual(['bottom.txt']);
    const wide = await api<unknown[]>(stack.platform, 'GET', `/snapshots/${second}/tree?path=/wide`);
    expect(wide.body).toHaveLength(50_000);
    const long = await api<Array<{ name: string }>>(stack.platform, 'GET', `/snapshots/${second}/tree?path=${encodeURIComponent(`/${names.ascii}/${names.utf8}`)}`);
    expect(long.body.map((e) => e.name)).toEqual([names.ascii]);

    const target = path.join(stack.tempDir('many-files-restore'), 'out');
    const restore = await arcaStatus(url, ['restore', first, '--target', target]);
    expect(restore.stderr).not.toMatch(/FAILED/);
    expect(restore.code).toBe(0);
    await run('diff', ['-r', '--no-dereference', source, target], { maxBuffer: 16 * 1024 * 1024 });

    await expectCleanCheckAndIngestPeak(stack.platform, INGEST_PEAK_BOUND);
  }, 900_000);
});
