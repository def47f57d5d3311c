import { BackupCancelled, BackupCompleted, BackupFailed, BackupStarted, EventEnvelope, RestoreVerified, TOPICS } from '@arca/contracts';
import { ArcaEventContext } from '@arca/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JobOutcomesService } from './job-outcomes.service';

/** Ingest's job events, which tell the scheduler what became of the backups it requested, and what test restores measured (the RTO watch). */
@Controller()
export class JobEventsController {
  constructor(private readonly outcomes: JobOutcomesService) {}

  @EventPattern(TOPICS.backupStarted)
  onStarted(@Payload() event: EventEnvelope<BackupStarted>, @Ctx() context: ArcaEventContext) {
    return this.outcomes.applyStarted(event, context.groupId);
  }

  @EventPattern(TOPICS.backupCompleted)
  onCompleted(@Payload() event: EventEnvelope<BackupCompleted>, @Ctx() context: ArcaEventContext) {
    return this.outcomes.applyCompleted(event, context.groupId);
  }

  @EventPattern(TOPICS.backupFailed)
  onFailed(@Payload() event: EventEnvelope<BackupFailed>, @Ctx() context: ArcaEventContext) {
    return this.outcomes.applyFailed(event, context.groupId);
  }

  @EventPattern(TOPICS.backupCancelled)
  onCancelled(@Payload() event: EventEnvelope<BackupCancelled>, @Ctx() context: ArcaEventContext) {
    return this.outcomes.applyCancelled(event, context.groupId);
  }

  @EventPattern(TOPICS.restoreVerified)
  onVerified(@Payload() event: EventEnvelope<RestoreVerified>, @Ctx() context: ArcaEventContext) {
    return this.outcomes.applyVerified(event, context.groupId);
  }
}
