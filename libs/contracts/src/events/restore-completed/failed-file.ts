import { IsString, MaxLength } from 'class-validator';

/** A file a restore could not write correctly (a damaged or missing chunk); the rest of the restore went on. */
export class FailedFile {
  @IsString() @MaxLength(4096) path: string;
  @IsString() @MaxLength(4000) reason: string;
}
