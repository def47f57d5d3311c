import { BackupStats, DEFAULT_TENANT, SourceSpec, sourceIdentity } from '@arca/contracts';
import { Manifest, manifestKey } from '@arca/datapath';
import type { SnapshotEntity } from './entities/snapshot.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SNAPSHOT_ID = /^[0-9a-f]{64}$/;

/** Why a manifest is not this repository's to recover, or null when it is. */
export function foreignManifest(manifest: Manifest, repositoryId: string): string | null {
  if (manifest.repositoryId !== undefined && manifest.repositoryId !== repositoryId) return `the manifest belongs to repository ${manifest.repositoryId}, not ${repositoryId}`;
  return null;
}

/** A number the manifest recorded, or 0 (manifests from before recovery recorded no figures). */
function count(stats: Record<string, unknown> | undefined, field: string): number {
  const value = stats?.[field];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function ratio(stats: Record<string, unknown> | undefined, field: string): number | null {
  const value = stats?.[field];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * The catalogue row of a snapshot, from its manifest alone: what the backup recorded in Postgres,
 * it also sealed into the manifest (the repository, tenant, policy, job and figures), so the row
 * comes back as it was. `bytesStored` adds the manifest's own object size back, as the backup
 * did. A manifest from before then yields the `default` tenant's row, no policy, the recovery's
 * job id and zero figures (its tree and data are whole; only the statistics are unknown).
 */
export function recoveredSnapshot(manifest: Manifest, manifestSize: number, recovery: { jobId: string; repositoryId: string }): Omit<SnapshotEntity, 'forgottenAt' | 'forgottenReason' | 'purgedAt' | 'heldAt' | 'heldBy' | 'holdReason' | 'cataloguedAt'> {
  const s = manifest.stats;
  const stats: BackupStats = {
    files: count(s, 'files'), dirs: count(s, 'dirs'), bytesRead: count(s, 'bytesRead'), bytesNew: count(s, 'bytesNew'),
    bytesStored: count(s, 'bytesStored') + manifestSize, chunks: count(s, 'chunks'), newChunks: count(s, 'newChunks'),
    dedupeRatio: ratio(s, 'dedupeRatio'), compressionRatio: ratio(s, 'compressionRatio'), durationMs: count(s, 'durationMs'), throughputBytesPerSec: count(s, 'throughputBytesPerSec'),
  };
  return {
    id: manifest.snapshotId,
    repositoryId: recovery.repositoryId,
    tenant: manifest.tenant ?? DEFAULT_TENANT,
    time: new Date(manifest.time),
    sourceKind: manifest.source.kind,
    sourceId: sourceIdentity(manifest.source as SourceSpec),
    hostname: manifest.hostname,
    policyId: manifest.policyId && UUID.test(manifest.policyId) ? manifest.policyId : null,
    parentId: manifest.parentId && SNAPSHOT_ID.test(manifest.parentId) ? manifest.parentId : null,
    jobId: manifest.jobId && UUID.test(manifest.jobId) ? manifest.jobId : recovery.jobId,
    manifestKey: manifestKey(manifest.snapshotId),
    stats,
  };
}
