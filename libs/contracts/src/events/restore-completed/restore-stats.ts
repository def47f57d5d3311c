import 'reflect-metadata'; // class-transformer's @Type reads design types at decoration time
import { Type } from 'class-transformer';
import { IsArray, IsInt, Min, ValidateNested } from 'class-validator';
import { FailedFile } from './failed-file';

/** What a restore did. */
export class RestoreStats {
  @IsInt() @Min(0) files: number;
  @IsInt() @Min(0) dirs: number;
  @IsInt() @Min(0) bytesWritten: number;
  @IsInt() @Min(0) durationMs: number;
  @IsInt() @Min(0) throughputBytesPerSec: number;
  /** Files that could not be restored, each with its reason: a restore reports damage rather than stopping at it. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => FailedFile) failedFiles: FailedFile[];
}
