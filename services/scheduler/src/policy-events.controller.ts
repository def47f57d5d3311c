import { EventEnvelope, PolicyChanged, PolicyDeleted, TOPICS } from '@arca/contracts';
import { ArcaEventContext } from '@arca/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { SchedulerService } from './scheduler.service';

/** Keeps the scheduler's copy of every policy's schedule current. */
@Controller()
export class PolicyEventsController {
  constructor(private readonly scheduler: SchedulerService) {}

  @EventPattern(TOPICS.policyChanged)
  onPolicyChanged(@Payload() event: EventEnvelope<PolicyChanged>, @Ctx() context: ArcaEventContext) {
    return this.scheduler.applyPolicyChanged(event, context.groupId);
  }

  @EventPattern(TOPICS.policyDeleted)
  onPolicyDeleted(@Payload() event: EventEnvelope<PolicyDeleted>, @Ctx() context: ArcaEventContext) {
    return this.scheduler.applyPolicyDeleted(event, context.groupId);
  }
}
