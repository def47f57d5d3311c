import { EventEnvelope, PacksDeleted, PackStored, PolicyChanged, PolicyDeleted, SnapshotForgotten, SnapshotStored, tenantOfEvent, TOPICS } from '@arca/contracts';
import { ArcaEventContext, handleOnce } from '@arca/messaging';
import { CallerTenant } from '@arca/service-kit';
import { Controller, Get } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DataSource, In } from 'typeorm';
import { ReplicatedObjectEntity } from './entities/replicated-object.entity';
import { CopyQueue } from './copy-queue.service';
import { ReplicatorService } from './replicator.service';

@Controller()
export class ReplicationController {
  constructor(private readonly dataSource: DataSource, private readonly queue: CopyQueue, private readonly replicator: ReplicatorService) {}

  /** Queues the snapshot's copy (durably, once per event); the copy worker takes it from there. */
  @EventPattern(TOPICS.snapshotStored)
  async onSnapshotStored(@Payload() event: EventEnvelope<SnapshotStored>, @Ctx() context: ArcaEventContext) {
    await handleOnce(this.dataSource, context.groupId, event.eventId, (m) => this.queue.queue(m, tenantOfEvent(event), event.payload));
    this.replicator.wake();
  }

  @EventPattern(TOPICS.policyChanged)
  onPolicyChanged(@Payload() event: EventEnvelope<PolicyChanged>, @Ctx() context: ArcaEventContext) {
    return handleOnce(this.dataSource, context.groupId, event.eventId, (m) => this.queue.applyPolicy(m, tenantOfEvent(event), event.payload));
  }

  @EventPattern(TOPICS.policyDeleted)
  onPolicyDeleted(@Payload() event: EventEnvelope<PolicyDeleted>, @Ctx() context: ArcaEventContext) {
    return handleOnce(this.dataSource, context.groupId, event.eventId, (m) => this.queue.applyPolicyDeleted(m, event.payload));
  }

  @EventPattern(TOPICS.snapshotForgotten)
  onSnapshotForgotten(@Payload() event: EventEnvelope<SnapshotForgotten>, @Ctx() context: ArcaEventContext) {
    return handleOnce(this.dataSource, context.groupId, event.eventId, (m) => this.queue.abandon(m, event.payload));
  }

  /** A pack a prune rewrote: queued for the replica at once, since no new snapshot will name it. Other packs travel with their snapshots. */
  @EventPattern(TOPICS.packStored)
  async onPackStored(@Payload() event: EventEnvelope<PackStored>, @Ctx() context: ArcaEventContext) {
    if (!event.payload.rewrite) return;
    await handleOnce(this.dataSource, context.groupId, event.eventId, (m) => this.queue.queueObjects(m, 'put', [event.payload.packKey]));
    this.replicator.wake();
  }

  /** Packs a prune deleted at the primary (no live snapshot references them): the replica lets the ones it holds go too. */
  @EventPattern(TOPICS.packsDeleted)
  async onPacksDeleted(@Payload() event: EventEnvelope<PacksDeleted>, @Ctx() context: ArcaEventContext) {
    await handleOnce(this.dataSource, context.groupId, event.eventId, async (m) => {
      const held = await m.findBy(ReplicatedObjectEntity, { key: In(event.payload.packKeys) });
      await this.queue.queueObjects(m, 'delete', held.map((o) => o.key));
    });
    this.replicator.wake();
  }

  /** Each site's lag for the caller's tenant: the age of its oldest snapshot not yet copied, and the bytes still to copy. */
  @Get('replication/lag')
  lag(@CallerTenant() tenant: string) {
    return this.queue.lag(tenant);
  }
}
