import { IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { ProgressCounters } from '../../common/stats';

/** backup.progress: counters of a running backup, every few seconds; consumers may drop any of them. */
export class BackupProgress extends ProgressCounters {
  @IsUUID() jobId: string;
  /** Bytes the source holds, when known up front (a directory walk estimates it). */
  @IsOptional() @IsInt() @Min(0) totalBytes?: number;
  @IsOptional() @IsString() @MaxLength(4096) currentPath?: string;
}
