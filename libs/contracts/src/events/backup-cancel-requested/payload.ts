import { IsString, IsUUID, MaxLength } from 'class-validator';

/**
 * backup.cancel_requested: stop a backup job (its window closed and its policy says "cancel").
 * Ingest aborts it if it runs, or cancels it before it starts; either way it ends with backup.cancelled
 * and no snapshot. A job that has already ended is left as it is.
 */
export class BackupCancelRequested {
  @IsUUID() jobId: string;
  @IsString() @MaxLength(1000) reason: string;
}
