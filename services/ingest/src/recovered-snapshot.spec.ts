import type { Manifest } from '@arca/datapath';
import { describe, expect, it } from 'vitest';
import { foreignManifest, recoveredSnapshot } from './recovered-snapshot';

const root = { path: '/', type: 'dir' as const, mode: 0o755, mtimeNs: '0', uid: 0, gid: 0, tree: [] };
const base: Manifest = { version: 2, snapshotId: 'a'.repeat(64), time: '2026-12-01T10:00:00.000Z', hostname: 'host', source: { kind: 'directory', path: '/srv/data' }, root };
const recovery = { jobId: '11111111-1111-4111-8111-111111111111', repositoryId: 'c'.repeat(32) };

describe('a catalogue row from a manifest alone', () => {
  it('is the row the backup recorded: repository, tenant, policy, job, parent and figures, the manifest counted in bytesStored', () => {
    const stats = { files: 3, dirs: 1, bytesRead: 1000, bytesNew: 400, bytesStored: 300, chunks: 5, newChunks: 2, dedupeRatio: 2.5, compressionRatio: 1.33, durationMs: 12, throughputBytesPerSec: 83333 };
    const row = recoveredSnapshot({
      ...base, repositoryId: recovery.repositoryId, tenant: 'acme', policyId: '22222222-2222-4222-8222-222222222222', jobId: '33333333-3333-4333-8333-333333333333', parentId: 'b'.repeat(64), stats,
    }, 250, recovery);
    expect(row).toEqual({
      id: 'a'.repeat(64), repositoryId: recovery.repositoryId, tenant: 'acme', time: new Date(base.time), sourceKind: 'directory', sourceId: '/srv/data', hostname: 'host',
      policyId: '22222222-2222-4222-8222-222222222222', parentId: 'b'.repeat(64), jobId: '33333333-3333-4333-8333-333333333333', manifestKey: `snapshots/${'a'.repeat(64)}`,
      stats: { ...stats, bytesStored: 550 },
    });
  });

  it("reads a manifest from before recovery as the default tenant's, with the recovery's job id and zero figures", () => {
    const row = recoveredSnapshot(base, 250, recovery);
    expect(row).toMatchObject({ tenant: 'default', policyId: null, parentId: null, jobId: recovery.jobId });
    expect(row.stats).toMatchObject({ files: 0, bytesRead: 0, bytesStored: 250, dedupeRatio: null });
  });

  it("tells another repository's manifest apart; one that names no repository is taken as this one's", () => {
    expect(foreignManifest({ ...base, repositoryId: 'd'.repeat(32) }, recovery.repositoryId)).toMatch(/belongs to repository d{32}, not c{32}/);
    expect(foreignManifest({ ...base, repositoryId: recovery.repositoryId }, recovery.repositoryId)).toBeNull();
    expect(foreignManifest(base, recovery.repositoryId)).toBeNull();
  });
});
