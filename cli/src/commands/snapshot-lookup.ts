import type { GatewayClient } from '../gateway-client';
import { resolveSnapshotId } from '../snapshot-ids';
import type { Snapshot } from '../types';

/** A full snapshot id from what the user typed (a unique prefix is enough). */
export async function lookUpSnapshot(client: GatewayClient, given: string): Promise<string> {
  return resolveSnapshotId(given, await client.get<Snapshot[]>('/snapshots'));
}
