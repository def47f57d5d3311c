import { packListKey } from '@arca/contracts';
import { manifestKey } from '@arca/datapath';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { api } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * Object lock through the whole platform on the filesystem store (s3rver has no object lock):
 * policy → scheduler → backup.requested → ingest's locking store. The lock files are where the
 * filesystem store keeps each object's lock (`.arca-locks/<key>`); the store's own spec tests
 * that it enforces them.
 */
const objects = mkdtempSync(path.join(os.tmpdir(), 'arca-e2e-lock-objects-'));
const stack = usePlatform({ OBJECT_STORE: 'fs', OBJECT_STORE_DIR: objects });
const DAY = 86_400_000;

function lockOf(key: string): { mode: string; retainUntil: string } | null {
  const file = path.join(objects, '.arca-locks', ...key.split('/'));
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

function keysUnder(prefix: string): string[] {
  const dir = path.join(objects, prefix);
  return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(objects, path.join(e.parentPath, e.name)).split(path.sep).join('/')) : [];
}

const policy = (name: string, source: string, over: object = {}) => ({
  name, source: { kind: 'directory', path: source }, schedule: { cron: '0 3 1 1 *', timezone: 'UTC' }, rpoMinutes: 525_600, retention: { keepDaily: 7 }, ...over,
});

/** Runs a policy now; the scheduler learns of a new policy over Kafka, so the first tries may find it unknown. */
async function runPolicy(name: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const run = await arcaStatus(stack.platform.gatewayUrl, ['backup', '--policy', name]);
    if (run.code === 0) return run.stdout.trim();
    if (attempt > 40 || !/not known to the scheduler/.test(run.stderr)) throw new Error(`arca backup --policy ${name} failed: ${run.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a policy with object lock', () => {
  it('writes its packs, pack list and manifest locked for the policy\'s days; other backups stay unlocked', async () => {
    const source = stack.tempDir('lock-src');
    writeFileSync(path.join(source, 'a.bin'), randomBytes(600_000));
    writeFileSync(path.join(source, 'b.txt'), 'locked ' + randomBytes(8).toString('hex'));
    const created = await api<{ id: string; objectLock: unknown }>(stack.platform, 'POST', '/policies', policy('worm', source, { objectLock: { mode: 'compliance', days: 2 } }));
    expect(created.status).toBe(201);
    expect(created.body.objectLock).toEqual({ mode: 'compliance', days: 2 });

    const before = Date.now();
    const snapshot = await runPolicy('worm');
    const after = Date.now();
    const packs = keysUnder('data');
    expect(packs.length).toBeGreaterThan(0);
    for (const key of [...packs, packListKey(snapshot), manifestKey(snapshot)]) {
      const lock = lockOf(key);
      expect(lock, key).not.toBeNull();
      expect(lock!.mode).toBe('compliance');
      const until = Date.parse(lock!.retainUntil);
      expect(until).toBeGreaterThanOrEqual(before + 2 * DAY);
      expect(until).toBeLessThanOrEqual(after + 2 * DAY);
    }

    // A backup outside the policy asks for no lock.
    const other = stack.tempDir('plain-src');
    writeFileSync(path.join(other, 'c.bin'), randomBytes(300_000));
    const plain = (await arca(stack.platform.gatewayUrl, ['backup', other])).stdout.trim();
    expect(lockOf(manifestKey(plain))).toBeNull();
    const newPacks = keysUnder('data').filter((key) => !packs.includes(key));
    expect(newPacks.length).toBeGreaterThan(0);
    expect(newPacks.filter((key) => lockOf(key) !== null)).toEqual([]);
  });

  it('keeps packs a forgotten snapshot locked until their date: prune deletes nothing locked, and says so', async () => {
    const source = stack.tempDir('lock-prune-src');
    writeFileSync(path.join(source, 'first.bin'), randomBytes(700_000));
    const created = await api<{ id: string }>(stack.platform, 'POST', '/policies', policy('worm-prune', source, { retention: { keepLast: 1 }, objectLock: { mode: 'governance', days: 1 } }));
    expect(created.status).toBe(201);
    const before = new Set(keysUnder('data'));
    const first = await runPolicy('worm-prune');
    const lockedPacks = keysUnder('data').filter((key) => !before.has(key));
    writeFileSync(path.join(source, 'first.bin'), randomBytes(700_000));
    await runPolicy('worm-prune'); // keepLast 1: the first snapshot is forgotten
    expect((await api(stack.platform, 'GET', `/snapshots/${first}`)).status).toBe(404);

    const pruned = await arcaStatus(stack.platform.gatewayUrl, ['prune', '--max-unused', '0']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/[1-9]\d* pack\(s\) kept by object lock until their retention dates/);
    for (const key of lockedPacks) expect(existsSync(path.join(objects, ...key.split('/'))), key).toBe(true);
    expect(existsSync(path.join(objects, ...manifestKey(first).split('/')))).toBe(true); // locked too: purged after its date
    const check = await arcaStatus(stack.platform.gatewayUrl, ['check']);
    expect(check.code, check.stdout).toBe(0);
  });

  it('refuses days outside 1-36500, naming the field', async () => {
    const bad = await api<{ message: string[] }>(stack.platform, 'POST', '/policies', policy('worm-bad', '/srv/x', { objectLock: { mode: 'compliance', days: 0 } }));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('objectLock.days must be at least 1');
  });
});
