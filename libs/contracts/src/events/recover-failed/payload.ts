import { IsString, IsUUID, MaxLength } from 'class-validator';

/** recover.failed: a recovery stopped, with the reason; running it again (with `merge`) finishes it. */
export class RecoverFailed {
  @IsUUID() jobId: string;
  @IsString() @MaxLength(4000) reason: string;
}
