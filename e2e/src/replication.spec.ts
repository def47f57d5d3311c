import { makeEdgeCaseTree } from '@arca/datapath/src/testing/edge-case-tree';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

const stack = usePlatform();
const tempDir = (name: string) => stack.tempDir(name);


describe('replication to a second site', () => {
  it('copies each snapshot to the replica, which restores it when the primary has lost its data', async () => {
    const source = tempDir('src');
    await makeEdgeCaseTree(source);
    const snapshot = (await arca(stack.platform.gatewayUrl, ['backup', source])).stdout.trim();

    const summary = await until(async () => {
      const r = await api<{ replication: { completed: number; maxLagMs: number | null } }>(stack.platform, 'GET', '/reports/summary');
      return r.body.replication.completed >= 1 ? r.body.replication : undefined;
    }, 'replication.completed for the snapshot');
    expect(summary.maxLagMs).not.toBeNull();

    // Disaster at the primary site: its packs and manifests are gone (s3rver keeps objects as files).
    const primaryBucket = path.join(stack.platform.dataDir, 's3-primary', 'arca');
    for (const prefix of ['data', 'snapshots']) rmSync(path.join(primaryBucket, prefix), { recursive: true, force: true });
    expect(existsSync(path.join(primaryBucket, 'data'))).toBe(false);

    const fromPrimary = await arcaStatus(stack.platform.gatewayUrl, ['restore', snapshot, '--target', path.join(tempDir('lost'), 'out')]);
    expect(fromPrimary.code).toBe(1);
    expect(fromPrimary.stderr).toMatch(/not found/);

    const target = path.join(tempDir('dr'), 'out');
    const fromReplica = await arcaStatus(stack.platform.gatewayUrl, ['restore', snapshot, '--target', target, '--from', 'replica']);
    expect(fromReplica.code, fromReplica.stderr).toBe(0);
    execFileSync('diff', ['-r', '--no-dereference', source, target]);
  });
});
