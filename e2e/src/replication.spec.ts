import { makeEdgeCaseTree } from '@arca/datapath/src/testing/edge-case-tree';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { api, startTestPlatform, TestPlatform, until } from './support/test-platform';

let platform: TestPlatform;
const temp: string[] = [];
const tempDir = (name: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), `arca-e2e-${name}-`));
  temp.push(d);
  return d;
};

beforeAll(async () => {
  platform = await startTestPlatform();
  if (!(await platform.waitUntilHealthy(90_000))) throw new Error(`platform did not become healthy:\n${platform.logs.slice(-40).join('\n')}`);
}, 120_000);

afterAll(async () => {
  await platform?.destroy();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
}, 60_000);

describe('replication to a second site', () => {
  it('copies each snapshot to the replica, which restores it when the primary has lost its data', async () => {
    const source = tempDir('src');
    await makeEdgeCaseTree(source);
    const snapshot = (await arca(platform.gatewayUrl, ['backup', source])).stdout.trim();

    const summary = await until(async () => {
      const r = await api<{ replication: { completed: number; maxLagMs: number | null } }>(platform, 'GET', '/reports/summary');
      return r.body.replication.completed >= 1 ? r.body.replication : undefined;
    }, 'replication.completed for the snapshot');
    expect(summary.maxLagMs).not.toBeNull();

    // Disaster at the primary site: its packs and manifests are gone (s3rver keeps objects as files).
    const primaryBucket = path.join(platform.dataDir, 's3-primary', 'arca');
    for (const prefix of ['data', 'snapshots']) rmSync(path.join(primaryBucket, prefix), { recursive: true, force: true });
    expect(existsSync(path.join(primaryBucket, 'data'))).toBe(false);

    const fromPrimary = await arcaStatus(platform.gatewayUrl, ['restore', snapshot, '--target', path.join(tempDir('lost'), 'out')]);
    expect(fromPrimary.code).toBe(1);
    expect(fromPrimary.stderr).toMatch(/not found/);

    const target = path.join(tempDir('dr'), 'out');
    const fromReplica = await arcaStatus(platform.gatewayUrl, ['restore', snapshot, '--target', target, '--from', 'replica']);
    expect(fromReplica.code, fromReplica.stderr).toBe(0);
    execFileSync('diff', ['-r', '--no-dereference', source, target]);
  });
});
