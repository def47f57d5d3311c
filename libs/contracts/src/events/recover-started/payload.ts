import { IsIn, IsString, IsUUID, MaxLength } from 'class-validator';
import { RECOVER_SITES, RecoverSite } from '../recover-requested/payload';

/** recover.started: an ingest worker took a recovery job. */
export class RecoverStarted {
  @IsUUID() jobId: string;
  @IsIn(RECOVER_SITES) from: RecoverSite;
  @IsString() @MaxLength(255) worker: string;
}
