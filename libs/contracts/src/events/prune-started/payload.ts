import { IsBoolean, IsString, IsUUID, MaxLength } from 'class-validator';

/** prune.started: an ingest worker took a prune job. */
export class PruneStarted {
  @IsUUID() jobId: string;
  @IsBoolean() dryRun: boolean;
  @IsString() @MaxLength(255) worker: string;
}
