import type { BackupObjectLock, PolicySpec } from '@arca/contracts';
import { backupLockFor } from '@arca/schedule';

/**
 * The schedule row's copy of a policy's object lock, resolved to days when the policy changes
 * (the policy's days, or those its retention rules imply), so each backup.requested carries it
 * and ingest needs no policy lookup.
 */
export function scheduleObjectLock(spec: PolicySpec): BackupObjectLock | null {
  return backupLockFor(spec) ?? null;
}

/** backup.requested's objectLock from a schedule row: absent without a lock (and for a one-off backup, which has no policy). */
export function requestedObjectLock(schedule: { objectLock: BackupObjectLock | null }): { objectLock?: BackupObjectLock } {
  return schedule.objectLock ? { objectLock: { mode: schedule.objectLock.mode, retainUntilDays: schedule.objectLock.retainUntilDays } } : {};
}
