import { IsString, IsUUID, MaxLength } from 'class-validator';

/** prune.failed: a prune stopped; what it had not finished is finished by the next one. */
export class PruneFailed {
  @IsUUID() jobId: string;
  @IsString() @MaxLength(4000) reason: string;
}
