import { MasterKey } from './keys';
import { openObject, sealObject } from './sealer';

/**
 * What the catalogue knows of a snapshot beyond its manifest: whether it was forgotten and whether
 * a legal hold keeps it. Sealed in the object store (`snapshot-state/<id>`) whenever either
 * changes, so a recovery from the bucket alone neither brings a forgotten snapshot back to life
 * nor drops a legal hold.
 */
export interface SnapshotState {
  snapshotId: string;
  forgottenAt: string | null;
  forgottenReason: string | null;
  heldAt: string | null;
  heldBy: string | null;
  holdReason: string | null;
}

export function snapshotStateKey(snapshotId: string): string {
  return `snapshot-state/${snapshotId}`;
}

export function encodeSnapshotState(key: MasterKey, state: SnapshotState): Promise<Buffer> {
  return sealObject(key, `arca-snapshot-state:${state.snapshotId}`, state);
}

/** The label binds a state to its snapshot: one stored under another snapshot's key does not open. */
export async function decodeSnapshotState(key: MasterKey, snapshotId: string, sealed: Buffer): Promise<SnapshotState> {
  const state = await openObject<SnapshotState>(key, `arca-snapshot-state:${snapshotId}`, sealed);
  if (state.snapshotId !== snapshotId) throw new Error(`${snapshotStateKey(snapshotId)} holds the state of snapshot ${state.snapshotId}`);
  return state;
}
