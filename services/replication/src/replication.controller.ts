import { EventEnvelope, PacksDeleted, PackStored, SnapshotStored, TOPICS } from '@arca/contracts';
import { ArcaEventContext } from '@arca/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ReplicatorService } from './replicator.service';

@Controller()
export class ReplicationController {
  constructor(private readonly replicator: ReplicatorService) {}

  @EventPattern(TOPICS.snapshotStored)
  onSnapshotStored(@Payload() event: EventEnvelope<SnapshotStored>, @Ctx() context: ArcaEventContext) {
    return this.replicator.replicate(event, context.groupId);
  }

  @EventPattern(TOPICS.packStored)
  onPackStored(@Payload() event: EventEnvelope<PackStored>) {
    return this.replicator.copyRewrittenPack(event);
  }

  @EventPattern(TOPICS.packsDeleted)
  onPacksDeleted(@Payload() event: EventEnvelope<PacksDeleted>) {
    return this.replicator.deletePacks(event);
  }
}
