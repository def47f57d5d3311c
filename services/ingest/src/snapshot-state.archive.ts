import { decodeSnapshotState, encodeSnapshotState, SnapshotState, snapshotStateKey } from '@arca/datapath';
import { ObjectStore } from '@arca/object-store';
import { Injectable } from '@nestjs/common';
import type { SnapshotEntity } from './entities/snapshot.entity';
import { RepositoryKeyService } from './repository-key.service';
import { SiteStores } from './site-stores';

/** Keeps each snapshot's forgotten and held state sealed in both sites' buckets (snapshot-state.ts), for a recovery. */
@Injectable()
export class SnapshotStateArchive {
  constructor(private readonly keys: RepositoryKeyService, private readonly sites: SiteStores) {}

  /** Called inside the transaction that changes the row: a state the bucket cannot take rolls the change back. */
  async record(snapshot: Pick<SnapshotEntity, 'id' | 'forgottenAt' | 'forgottenReason' | 'heldAt' | 'heldBy' | 'holdReason'>): Promise<void> {
    const state: SnapshotState = {
      snapshotId: snapshot.id, forgottenAt: snapshot.forgottenAt?.toISOString() ?? null, forgottenReason: snapshot.forgottenReason ?? null,
      heldAt: snapshot.heldAt?.toISOString() ?? null, heldBy: snapshot.heldBy ?? null, holdReason: snapshot.holdReason ?? null,
    };
    await this.sites.putEverywhere(snapshotStateKey(snapshot.id), await encodeSnapshotState(this.keys.key, state));
  }

  /** A snapshot's recorded state at a site, or null when none was ever recorded (never forgotten nor held). */
  async read(store: ObjectStore, snapshotId: string): Promise<SnapshotState | null> {
    if (!(await store.stat(snapshotStateKey(snapshotId)))) return null;
    return decodeSnapshotState(this.keys.key, snapshotId, await store.get(snapshotStateKey(snapshotId)));
  }
}
