import { AuditRecorded, EventEnvelope, PolicyChanged, PolicyDeleted, PolicyRpoBreached, PolicyRpoRestored, PolicyRtoBreached, PolicyRtoRestored, ReplicationCompleted, ReplicationFailed, TOPICS } from '@arca/contracts';
import { ArcaEventContext, SERVICE_HEADER } from '@arca/messaging';
import { traceparentIds } from '@arca/telemetry';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JOB_EVENT_TYPES, JobEvent } from './job-projection';

const JOB_TOPICS = JOB_EVENT_TYPES;
import { ReadModelsService } from './read-models.service';

/** Reporting listens to every job's lifecycle, to policies (for RPO), replication and the audit trail. */
@Controller()
export class EventsController {
  constructor(private readonly readModels: ReadModelsService) {}

  @EventPattern([...JOB_TOPICS])
  onJobEvent(@Payload() event: EventEnvelope<Record<string, unknown>>, @Ctx() context: ArcaEventContext) {
    const service = context.headers[SERVICE_HEADER]?.toString();
    return this.readModels.applyJobEvent(event as unknown as JobEvent & { eventId: string }, context.groupId, { ...(service ? { service } : {}), ...traceparentIds(context.headers) });
  }

  @EventPattern(TOPICS.policyChanged)
  onPolicyChanged(@Payload() event: EventEnvelope<PolicyChanged>, @Ctx() context: ArcaEventContext) {
    return this.readModels.applyPolicyChanged(event, context.groupId);
  }

  @EventPattern(TOPICS.policyDeleted)
  onPolicyDeleted(@Payload() event: EventEnvelope<PolicyDeleted>, @Ctx() context: ArcaEventContext) {
    return this.readModels.applyPolicyDeleted(event, context.groupId);
  }

  @EventPattern([TOPICS.policyRpoBreached, TOPICS.policyRpoRestored])
  onRpo(@Payload() event: EventEnvelope<PolicyRpoBreached | PolicyRpoRestored>, @Ctx() context: ArcaEventContext) {
    return this.readModels.applyRpoEvent(event, context.groupId);
  }

  @EventPattern([TOPICS.policyRtoBreached, TOPICS.policyRtoRestored])
  onRto(@Payload() event: EventEnvelope<PolicyRtoBreached | PolicyRtoRestored>, @Ctx() context: ArcaEventContext) {
    return this.readModels.applyRtoEvent(event, context.groupId);
  }

  @EventPattern([TOPICS.replicationCompleted, TOPICS.replicationFailed])
  onReplication(@Payload() event: EventEnvelope<ReplicationCompleted | ReplicationFailed>, @Ctx() context: ArcaEventContext) {
    return this.readModels.applyReplication(event, context.groupId);
  }

  @EventPattern(TOPICS.auditRecorded)
  onAudit(@Payload() event: EventEnvelope<AuditRecorded>) {
    return this.readModels.applyAudit(event);
  }
}
