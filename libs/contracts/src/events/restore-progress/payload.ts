import { IsInt, IsUUID, Min } from 'class-validator';

/** restore.progress: counters of a running restore, every few seconds; consumers may drop any of them. */
export class RestoreProgress {
  @IsUUID() jobId: string;
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) bytesWritten: number;
  @IsInt() @Min(0) totalBytes: number;
}
