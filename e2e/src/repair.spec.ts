import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { damageNewDataPacks } from './support/damage';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

const stack = usePlatform();

interface CheckJob {
  status: string;
  stats: {
    damaged: Array<{ chunkId: string; packKey: string; snapshots: string[]; files: string[] }>;
    repair?: { forgotten: string[]; notIndexedThere: string[]; damagedSnapshots: Array<{ snapshotId: string; files: string[] }>; note: string };
  };
}

/** POST /check with repair, as an operator would, and the finished job. */
async function checkAndRepair(): Promise<CheckJob> {
  const started = await api<{ jobId: string }>(stack.platform, 'POST', '/check', { repair: true });
  expect(started.status).toBe(202);
  return until(async () => {
    const job = (await api<CheckJob>(stack.platform, 'GET', `/jobs/${started.body.jobId}`)).body;
    return job.status === 'completed' && job;
  }, 'the check to complete', 60_000);
}

describe('check --repair heals the repository through the next backup', () => {
  it('forgets damaged chunks, so the next backup stores them again and restores byte for byte', async () => {
    const source = stack.tempDir('heal-src');
    const files: Record<string, Buffer> = {
      'victim.txt': Buffer.from('victim contents '.repeat(50_000) + randomBytes(16).toString('hex')),
      'random.bin': randomBytes(700_000),
      'bystander.txt': Buffer.from('unharmed ' + randomBytes(16).toString('hex')),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(source, name), bytes);
    const first = (await arca(stack.platform.gatewayUrl, ['backup', source])).stdout.trim();

    // Damage the first sealed chunk of every data pack that backup wrote (as backup-restore.spec does).
    expect(damageNewDataPacks(stack.platform.dataDir, path.join(source, 'bystander.txt')).length).toBeGreaterThan(0);

    const check = await checkAndRepair();
    expect(check.stats.damaged.length).toBeGreaterThan(0);
    const damagedIds = check.stats.damaged.map((d) => d.chunkId);
    expect(check.stats.repair!.forgotten.sort()).toEqual([...damagedIds].sort());
    expect(check.stats.repair!.damagedSnapshots.map((s) => s.snapshotId)).toEqual([first]);
    expect(check.stats.repair!.note).toMatch(/removed from the dedupe index: the next backup .* stores their data anew\. 1 existing snapshot\(s\) still reference the damaged data/);
    const audit = await api<Array<{ actor: string; action: string; details: { repair?: boolean } }>>(stack.platform, 'GET', '/audit');
    expect(audit.body.find((a) => a.action === 'check.repair')).toMatchObject({ actor: 'key:first-admin', details: { repair: true } });

    // The files did not change, so the backup reuses their chunk lists, finds the chunks gone, reads them again.
    const second = (await arca(stack.platform.gatewayUrl, ['backup', source])).stdout.trim();
    expect(second).not.toBe(first);
    const snapshot = (await api<{ stats: { bytesNew: number } }>(stack.platform, 'GET', `/snapshots/${second}`)).body;
    expect(snapshot.stats.bytesNew).toBeGreaterThan(0);

    const target = path.join(stack.tempDir('heal-restore'), 'out');
    const restore = await arcaStatus(stack.platform.gatewayUrl, ['restore', second, '--target', target]);
    expect(restore.stderr).not.toMatch(/FAILED/);
    expect(restore.code).toBe(0);
    for (const [name, bytes] of Object.entries(files)) expect(readFileSync(path.join(target, name)).equals(bytes), name).toBe(true);

    // Restores find chunks by id, so the old snapshot, whose data was stored again unchanged, restores too.
    const old = path.join(stack.tempDir('heal-restore-old'), 'out');
    expect((await arcaStatus(stack.platform.gatewayUrl, ['restore', first, '--target', old])).code).toBe(0);
    for (const [name, bytes] of Object.entries(files)) expect(readFileSync(path.join(old, name)).equals(bytes), name).toBe(true);

    // The damaged copies stay in their packs, but the index keeps the new, sound copies: a check names
    // them as replaced rather than damaged, and a second repair has nothing to forget.
    const again = await arcaStatus(stack.platform.gatewayUrl, ['check', '--repair']);
    expect(again.stdout).toMatch(/^no damage found\n/);
    for (const id of damagedIds) expect(again.stdout).toMatch(new RegExp(`REPLACED damaged copy of chunk ${id} in data/\\S+: restores read data/`));
    expect(again.stdout).toMatch(/REPAIRED: 0 chunk\(s\) removed from the dedupe index\n/);
    expect(again.code).toBe(0);
  });
});
