import { SnapshotStored } from '../snapshot-stored/payload';

/**
 * snapshot.recovered: a recovery (`arca repository recover`) put a live snapshot back into the
 * catalogue; what snapshot.stored said of it, so storage accounts it again. A topic of its own:
 * replication, which copies each snapshot.stored, has nothing to copy here.
 */
export class SnapshotRecovered extends SnapshotStored {}
