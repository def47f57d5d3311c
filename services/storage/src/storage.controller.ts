import { EventEnvelope, PacksDeleted, PackStored, SnapshotForgotten, SnapshotRecovered, SnapshotStored, TOPICS } from '@arca/contracts';
import { ArcaEventContext } from '@arca/messaging';
import { Controller, Get } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CallerTenant } from '@arca/service-kit';
import { UsageService } from './usage.service';

@Controller()
export class StorageController {
  constructor(private readonly usage: UsageService) {}

  @EventPattern(TOPICS.packStored)
  onPackStored(@Payload() event: EventEnvelope<PackStored>, @Ctx() context: ArcaEventContext) {
    return this.usage.recordPack(event, context.groupId);
  }

  /** A stored snapshot, or one a recovery put back into the catalogue: accounted the same way (once: the row is the snapshot's). */
  @EventPattern([TOPICS.snapshotStored, TOPICS.snapshotRecovered])
  onSnapshotStored(@Payload() event: EventEnvelope<SnapshotStored | SnapshotRecovered>, @Ctx() context: ArcaEventContext) {
    return this.usage.recordSnapshot(event, context.groupId);
  }

  @EventPattern(TOPICS.packsDeleted)
  onPacksDeleted(@Payload() event: EventEnvelope<PacksDeleted>, @Ctx() context: ArcaEventContext) {
    return this.usage.forgetPacks(event, context.groupId);
  }

  @EventPattern(TOPICS.snapshotForgotten)
  onSnapshotForgotten(@Payload() event: EventEnvelope<SnapshotForgotten>, @Ctx() context: ArcaEventContext) {
    return this.usage.forgetSnapshot(event, context.groupId);
  }

  @Get('usage')
  getUsage(@CallerTenant() tenant: string) {
    return this.usage.usage(tenant);
  }
}
