import { BackupCancelRequested, BackupRequested, CheckRequested, EventEnvelope, PruneRequested, RestoreRequested, RestoreVerificationRequested, TOPICS, tenantOfEvent } from '@arca/contracts';
import { extractTraceContext, injectTraceHeaders } from '@arca/telemetry';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ArcaEventContext } from '@arca/messaging';
import { IngestJobKind } from './entities/ingest-job.entity';
import { JobQueueService } from './job-queue.service';
import { JobWorkerService } from './job-worker.service';

/**
 * Job requests from Kafka become rows in the durable queue; the message is acknowledged at once and
 * a worker runs the job, so a long backup never stalls the consumer group.
 */
@Controller()
export class RequestsController {
  constructor(private readonly queue: JobQueueService, private readonly worker: JobWorkerService) {}

  @EventPattern(TOPICS.backupRequested)
  onBackup(@Payload() event: EventEnvelope<BackupRequested>, @Ctx() context: ArcaEventContext) {
    return this.enqueue('backup', event, context);
  }

  @EventPattern(TOPICS.restoreRequested)
  onRestore(@Payload() event: EventEnvelope<RestoreRequested>, @Ctx() context: ArcaEventContext) {
    return this.enqueue('restore', event, context);
  }

  @EventPattern(TOPICS.restoreVerificationRequested)
  onVerify(@Payload() event: EventEnvelope<RestoreVerificationRequested>, @Ctx() context: ArcaEventContext) {
    return this.enqueue('verify', event, context);
  }

  @EventPattern(TOPICS.checkRequested)
  onCheck(@Payload() event: EventEnvelope<CheckRequested>, @Ctx() context: ArcaEventContext) {
    return this.enqueue('check', event, context);
  }

  @EventPattern(TOPICS.pruneRequested)
  onPrune(@Payload() event: EventEnvelope<PruneRequested>, @Ctx() context: ArcaEventContext) {
    return this.enqueue('prune', event, context);
  }

  /** A cancel is recorded on the job's row, so whichever worker holds the job (here or on another instance) stops it. */
  @EventPattern(TOPICS.backupCancelRequested)
  onCancel(@Payload() event: EventEnvelope<BackupCancelRequested>) {
    return this.worker.requestCancel(event.payload.jobId, event.payload.reason);
  }

  /** The job is the tenant's that asked for it (the envelope's tenant). */
  private async enqueue(kind: IngestJobKind, event: EventEnvelope<{ jobId: string }>, context: ArcaEventContext): Promise<void> {
    const trace = injectTraceHeaders({} as Record<string, string>, extractTraceContext(context.headers as never));
    if (await this.queue.enqueue(kind, event.payload.jobId, { ...event.payload }, trace, tenantOfEvent(event))) this.worker.notify();
  }
}
